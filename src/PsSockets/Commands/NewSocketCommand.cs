using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>
/// socket(): a new TCP, UDP or unix socket, optionally bound at birth (bind()); connect it with
/// Connect-Socket -Socket, or use a datagram socket as it is with Send-SocketData -To and Receive-SocketData.
/// </summary>
[Cmdlet(VerbsCommon.New, "Socket", DefaultParameterSetName = IpSet)]
[OutputType(typeof(PsSocket))]
public sealed class NewSocketCommand : SocketMakingCmdlet
{
    private const string IpSet = "Ip";
    private const string PathSet = "Path";

    [Parameter(ParameterSetName = IpSet)]
    [ValidateSet(nameof(System.Net.Sockets.AddressFamily.InterNetwork), nameof(System.Net.Sockets.AddressFamily.InterNetworkV6), nameof(System.Net.Sockets.AddressFamily.Unix))]
    public AddressFamily AddressFamily { get; set; } = AddressFamily.InterNetwork;

    /// <summary>Stream (TCP, or a unix stream socket) or Dgram (UDP, or a unix datagram socket).</summary>
    [Parameter]
    [ValidateSet(nameof(SocketType.Stream), nameof(SocketType.Dgram))]
    public SocketType Type { get; set; } = SocketType.Stream;

    [Parameter(ParameterSetName = IpSet)]
    [ValidateNotNull]
    public IPAddress? LocalAddress { get; set; }

    [Parameter(ParameterSetName = IpSet)]
    [ValidateRange(0, 65535)]
    public int LocalPort { get; set; }

    /// <summary>Binds a unix socket to this path (or "@name", a Linux abstract name); the file goes when the socket closes.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces a socket file that a socket left behind without closing (never another kind of file).</summary>
    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter DualMode { get; set; }

    /// <summary>
    /// O_NONBLOCK (the Blocking option set to $false): calls that would wait return at once instead — a receive
    /// with nothing to read returns nothing, a connect only starts (Select-Socket -Write tells when it is done).
    /// </summary>
    [Parameter]
    public SwitchParameter NonBlocking { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        var options = new SocketOptions
        {
            Name = Name,
            Timeout = IsBound(nameof(Timeout)) ? Timeout : null,
            Named = NamedOptions(BoundSwitches()),
            TraceLimit = TraceBudget,
        };
        if (ParameterSetName == PathSet)
        {
            WriteObject(Registry.Add(SocketFactory.CreateUnix(FileArguments.UnixSocket(this, Path), Type, Force, options)));
            return;
        }
        var family = LocalAddress is not null && !IsBound(nameof(AddressFamily)) ? LocalAddress.AddressFamily : AddressFamily;
        IPEndPoint? bindTo = null;
        if (LocalAddress is not null || IsBound(nameof(LocalPort)))
        {
            var address = LocalAddress ?? (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
            bindTo = new IPEndPoint(address, LocalPort);
        }
        WriteObject(Registry.Add(SocketFactory.Create(family, Type, bindTo, options)));
    }

    /// <summary>-DualMode and -NonBlocking as the options they set, when given.</summary>
    private (string, object?)[] BoundSwitches()
    {
        var options = new List<(string, object?)>(2);
        if (IsBound(nameof(DualMode)))
        {
            options.Add((nameof(DualMode), DualMode.IsPresent));
        }
        if (IsBound(nameof(NonBlocking)))
        {
            options.Add(("Blocking", !NonBlocking.IsPresent));
        }
        return options.ToArray();
    }
}
