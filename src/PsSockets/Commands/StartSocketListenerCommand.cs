using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>bind() + listen(): on loopback unless an address is chosen, on an ephemeral port unless one is given.</summary>
[Cmdlet(VerbsLifecycle.Start, "SocketListener", DefaultParameterSetName = IpSet)]
[OutputType(typeof(PsSocket))]
public sealed class StartSocketListenerCommand : SocketMakingCmdlet
{
    private const string IpSet = "Ip";
    private const string PathSet = "Path";

    [Parameter(Position = 0, ParameterSetName = IpSet)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>The local address; loopback by default, since exposing a port to the network is an explicit choice.</summary>
    [Parameter(ParameterSetName = IpSet)]
    [ValidateNotNull]
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Backlog { get; set; } = 128;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>An IPv6 listener that takes IPv4 clients too (IPV6_V6ONLY off): on :: it serves both families.</summary>
    [Parameter(ParameterSetName = IpSet)]
    public SwitchParameter DualMode { get; set; }

    /// <summary>A unix domain socket path to listen on, or "@name" for a Linux abstract name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces a socket file that a listener left behind without closing (never another kind of file).</summary>
    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>A datagram socket bound to the port or path (UDP, unix datagram) instead of a stream listener: receive from it directly.</summary>
    [Parameter]
    [Alias("Udp")]
    public SwitchParameter Datagram { get; set; }

    /// <summary>A multicast group to join (implies -Datagram): the socket binds the group's address and port and joins it on the interface of -Address.</summary>
    [Parameter(ParameterSetName = IpSet)]
    [ValidateNotNull]
    public IPAddress? MulticastGroup { get; set; }

    /// <summary>The default timeout of the listener's accepts and of every socket it accepts.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        var options = new SocketOptions
        {
            Name = Name,
            Named = IsBound(nameof(DualMode)) ? NamedOptions((nameof(DualMode), DualMode.IsPresent)) : NamedOptions(),
            Timeout = IsBound(nameof(Timeout)) ? Timeout : null,
        };
        bool datagram = Datagram || MulticastGroup is not null;
        if (datagram && IsBound(nameof(Backlog)))
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Backlog is the queue of connections waiting for accept; a datagram socket has no connections."),
                "BacklogWithDatagram", ErrorCategory.InvalidArgument, Backlog));
        }
        var type = datagram ? SocketType.Dgram : SocketType.Stream;
        var listener = Registry.Add(ParameterSetName == PathSet
            ? SocketFactory.ListenUnix(FileArguments.UnixSocket(this, Path), type, Backlog, Force, options)
            : MulticastGroup is not null
            ? SocketFactory.ListenMulticast(MulticastGroup, Port, Address, options)
            : datagram
            ? SocketFactory.Create(Address.AddressFamily, SocketType.Dgram, new IPEndPoint(Address, Port), options)
            : SocketFactory.Listen(new IPEndPoint(Address, Port), Backlog, options));
        WriteVerbose(datagram ? $"Bound: {listener}." : $"Listening: {listener}, backlog {Backlog}.");
        WriteObject(listener);
    }
}
