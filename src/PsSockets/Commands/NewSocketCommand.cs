using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>socket(): a new TCP socket, optionally bound at birth; connect it with Connect-Socket -Socket.</summary>
[Cmdlet(VerbsCommon.New, "Socket")]
[OutputType(typeof(PsSocket))]
public sealed class NewSocketCommand : SocketCmdlet
{
    [Parameter]
    [ValidateSet(nameof(System.Net.Sockets.AddressFamily.InterNetwork), nameof(System.Net.Sockets.AddressFamily.InterNetworkV6))]
    public AddressFamily AddressFamily { get; set; } = AddressFamily.InterNetwork;

    [Parameter]
    [ValidateSet(nameof(SocketType.Stream))]
    public SocketType Type { get; set; } = SocketType.Stream;

    [Parameter]
    [ValidateNotNull]
    public IPAddress? LocalAddress { get; set; }

    [Parameter]
    [ValidateRange(0, 65535)]
    public int LocalPort { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter NoDelay { get; set; }

    [Parameter]
    public SwitchParameter ReuseAddress { get; set; }

    [Parameter]
    public SwitchParameter DualMode { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        var family = LocalAddress is not null && !IsBound(nameof(AddressFamily)) ? LocalAddress.AddressFamily : AddressFamily;
        IPEndPoint? bindTo = null;
        if (LocalAddress is not null || IsBound(nameof(LocalPort)))
        {
            var address = LocalAddress ?? (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
            bindTo = new IPEndPoint(address, LocalPort);
        }
        var options = new SocketOptions
        {
            Name = Name,
            Timeout = IsBound(nameof(Timeout)) ? Timeout : null,
            NoDelay = NoDelay,
            ReuseAddress = ReuseAddress,
            DualMode = IsBound(nameof(DualMode)) ? DualMode.IsPresent : null,
        };
        WriteObject(Registry.Add(SocketFactory.Create(family, Type, bindTo, options)));
    }
}
