using System.Management.Automation;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>connect(): to a host and port, trying every address the name resolves to.</summary>
[Cmdlet(VerbsCommunications.Connect, "Socket", DefaultParameterSetName = HostSet)]
[OutputType(typeof(PsSocket))]
public sealed class ConnectSocketCommand : SocketMakingCmdlet
{
    private const string HostSet = "Host";
    private const string PathSet = "Path";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = HostSet)]
    [ValidateNotNullOrEmpty]
    [Alias("HostName", "Host", "Address")]
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The port; may be left out when -ComputerName carries one (db01:5432, [::1]:80).</summary>
    [Parameter(Position = 1, ParameterSetName = HostSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter(ValueFromPipeline = true, ParameterSetName = HostSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket? Socket { get; set; }

    [Parameter(ParameterSetName = HostSet)]
    [ValidateSet(nameof(System.Net.Sockets.AddressFamily.Unspecified), nameof(System.Net.Sockets.AddressFamily.InterNetwork), nameof(System.Net.Sockets.AddressFamily.InterNetworkV6))]
    public AddressFamily AddressFamily { get; set; } = AddressFamily.Unspecified;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>A unix domain socket path to connect to, or "@name" for a Linux abstract name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>A datagram socket (UDP, or unix datagram with -Path) connected to the peer: plain sends go there, only its datagrams arrive.</summary>
    [Parameter]
    [Alias("Udp")]
    public SwitchParameter Datagram { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    /// <summary>A proxy to connect through, as ncat --proxy: socks5://[user:password@]host[:port] or http://... (CONNECT).</summary>
    [Parameter(ParameterSetName = HostSet)]
    [ValidateNotNullOrEmpty]
    [ValidateProxyAddress]
    public string? Proxy { get; set; }

    /// <summary>The user name and password for -Proxy, when its address does not carry them.</summary>
    [Parameter(ParameterSetName = HostSet)]
    [ValidateNotNull]
    [Credential]
    public PSCredential? ProxyCredential { get; set; }

    protected override void Process()
    {
        var options = new SocketOptions { Name = Name, Named = NamedOptions() };
        if (Datagram && Socket is { IsDatagram: false })
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-Datagram makes a datagram socket; {Socket} is a stream socket. Leave -Datagram out to connect it, or leave -Socket out for a new datagram socket."),
                "DatagramWithStreamSocket", ErrorCategory.InvalidArgument, Socket));
        }
        var target = ParameterSetName == PathSet ? new EndPointText(null, null, Path) : EndPointText.Parse(ComputerName);
        var type = Datagram ? SocketType.Dgram : SocketType.Stream;
        var connected = Proxy is not null
            ? ConnectThroughProxy(ProxyAddress.Parse(Proxy), target, options)
            : target.UnixPath is { } path
            ? SocketFactory.ConnectUnix(FileArguments.UnixSocket(this, path), type, Socket, options, BoundTimeout(Timeout), StopToken)
            : Datagram && Socket is null
            ? SocketFactory.ConnectDatagram(target.Host!, PortOf(target), AddressFamily, options, BoundTimeout(Timeout), StopToken)
            : SocketFactory.Connect(target.Host!, PortOf(target), Socket, AddressFamily, options, BoundTimeout(Timeout), StopToken);
        if (Socket is not null && Name is not null)
        {
            connected.Name = Name;
        }
        WriteVerbose(connected.State switch
        {
            SocketState.Connecting => $"connect(#{connected.Id}) is in progress (EINPROGRESS): {connected} is non-blocking; Select-Socket -Write reports it writable once connected, or in Error (LastError says why) if the connect fails.",
            SocketState.Failed => $"connect(#{connected.Id}) started, and has failed already: {connected.LastError?.Message} Select-Socket reports the socket in Error.",
            _ => $"Connected {connected}.",
        });
        WriteObject(Registry.Add(connected));
    }

    private PsSocket ConnectThroughProxy(ProxyAddress proxy, EndPointText target, SocketOptions options)
    {
        string? misuse = (Socket, Datagram.IsPresent || target.UnixPath is not null, ProxyCredential is not null && proxy.UserName is not null) switch
        {
            (not null, _, _) => "-Proxy makes a new socket; leave -Socket out.",
            (_, true, _) => "-Proxy tunnels a TCP connection to a host and port; a datagram or unix socket cannot go through it.",
            (_, _, true) => "The proxy's credentials are given twice: in -Proxy and as -ProxyCredential; give them once.",
            _ => null,
        };
        if (misuse is not null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(misuse, nameof(Proxy)), "ProxyMisuse", ErrorCategory.InvalidArgument, proxy));
        }
        return SocketFactory.ConnectThroughProxy(proxy, target.Host!, PortOf(target), ProxyCredential?.GetNetworkCredential(),
            AddressFamily, options, BoundTimeout(Timeout), StopToken);
    }

    /// <summary>-Port, or the port written into -ComputerName; exactly one of them.</summary>
    private int PortOf(EndPointText target)
    {
        string? misuse = (IsBound(nameof(Port)), target.Port) switch
        {
            (true, not null) => EndPointText.PortGivenTwice(ComputerName),
            (false, null) => $"Connect-Socket needs a port: give -Port, or write it into the name ('{ComputerName}:80', '[::1]:80').",
            (false, 0) => "Port 0 cannot be connected to.",
            _ => null,
        };
        if (misuse is not null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(misuse, nameof(Port)), "PortMissingOrTwice", ErrorCategory.InvalidArgument, ComputerName));
        }
        return target.Port ?? Port;
    }
}
