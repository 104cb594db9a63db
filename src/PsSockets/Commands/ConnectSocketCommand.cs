using System;
using System.Linq;
using System.Diagnostics;
using System.Management.Automation;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets.Commands;

/// <summary>connect(): to a host and port, trying every address the name resolves to; with -Tls, then the TLS handshake (or a STARTTLS-style upgrade of -Socket).</summary>
[Cmdlet(VerbsCommunications.Connect, "Socket", DefaultParameterSetName = HostSet)]
[OutputType(typeof(PsSocket))]
public sealed class ConnectSocketCommand : SocketMakingCmdlet
{
    private const string HostSet = "Host";
    private const string PathSet = "Path";

    /// <summary>The host to connect to; left out with -Socket and -Tls, the connected socket is upgraded to TLS (STARTTLS).</summary>
    [Parameter(Position = 0, ParameterSetName = HostSet)]
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

    /// <summary>Secures the connection with TLS once connected; with -Socket on a connected socket, upgrades it (STARTTLS).</summary>
    [Parameter]
    public SwitchParameter Tls { get; set; }

    /// <summary>The name sent as SNI and checked against the certificate; by default the name connected to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    /// <summary>The TLS versions allowed (Tls12, Tls13); by default the system's choice.</summary>
    [Parameter]
    public SslProtocols TlsProtocol { get; set; } = SslProtocols.None;

    [Parameter]
    [ValidateNotNull]
    [CertificateTransformation]
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>ALPN protocols to offer, most wanted first (h2, http/1.1).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ApplicationProtocol { get; set; }

    /// <summary>Accepts any server certificate; what was wrong with it still shows in .Tls.CertificateErrors.</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>CA certificates to trust instead of the system's (certificates, or PEM/DER file paths), as curl's --cacert.</summary>
    [Parameter]
    [AllowNull]
    [CertificateTransformation(Collection = true)]
    public X509Certificate2Collection? CertificateAuthority { get; set; }

    /// <summary>A rule that decides on the certificate: param($cert, $chain, $errors); writing exactly one $true accepts it.</summary>
    [Parameter]
    [ValidateNotNull]
    public ScriptBlock? CertificateValidation { get; set; }

    private static readonly string[] TlsParameters =
        [nameof(ServerName), nameof(TlsProtocol), nameof(ClientCertificate), nameof(ApplicationProtocol), nameof(SkipCertificateCheck), nameof(CertificateAuthority), nameof(CertificateValidation)];

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
        TlsArguments.RequireTlsSwitch(this, Tls, TlsParameters);
        if (Tls && Datagram)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Tls secures a byte stream; a datagram socket has none (DTLS is not supported)."), "TlsWithDatagram", ErrorCategory.InvalidArgument, null));
        }
        if (ParameterSetName == HostSet && !IsBound(nameof(ComputerName)))
        {
            if (Tls && Socket is { RemoteEndPoint: not null })
            {
                Upgrade(Socket);
                return;
            }
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(Tls && Socket is not null
                ? $"Cannot start TLS on {Socket}: it is not connected. Give -ComputerName and -Port to connect it first."
                : "Connect-Socket needs -ComputerName (and -Port), or -Path; or -Socket with -Tls to start TLS on a connected socket."), "NothingToConnect", ErrorCategory.InvalidArgument, Socket));
        }
        var started = Stopwatch.GetTimestamp();
        var options = new SocketOptions { Name = Name, Named = NamedOptions(), TraceLimit = TraceBudget };
        if (Socket is not null && (Trace || IsBound(nameof(TraceLimit))))
        {
            Socket.StartTrace(TraceBudget);
        }
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
        if (Tls)
        {
            Secure(connected, target.Host, Remaining(started), closeOnFailure: Socket is null); // a unix socket has no name to check: localhost, unless -ServerName
        }
        WriteVerbose(connected.State switch
        {
            SocketState.Connecting => $"connect(#{connected.Id}) is in progress (EINPROGRESS): {connected} is non-blocking; Select-Socket -Write reports it writable once connected, or in Error (LastError says why) if the connect fails.",
            SocketState.Failed => $"connect(#{connected.Id}) started, and has failed already: {connected.LastError?.Message} Select-Socket reports the socket in Error.",
            _ => $"Connected {connected}.",
        });
        WriteObject(Registry.Add(connected));
    }

    /// <summary>STARTTLS: the plain conversation said "let us speak TLS"; the handshake starts on the same connection.</summary>
    private void Upgrade(PsSocket socket)
    {
        Secure(socket, connectedName: null, BoundTimeout(Timeout), closeOnFailure: false);
        WriteObject(socket);
    }

    private void Secure(PsSocket socket, string? connectedName, TimeSpan? timeout, bool closeOnFailure)
    {
        var settings = TlsArguments.Client(ServerName, TlsProtocol, ClientCertificate, ApplicationProtocol, SkipCertificateCheck, CertificateAuthority, CertificateValidation);
        try
        {
            socket.AuthenticateAsClient(settings, connectedName, timeout, StopToken);
        }
        catch when (closeOnFailure)
        {
            socket.Close(abort: true);
            throw;
        }
        WriteVerbose($"TLS with {socket.Tls!.ServerName}: {socket.Tls}; certificate {socket.Tls.RemoteCertificate}.");
        TlsArguments.WarnAboutAcceptedProblems(this, socket);
    }

    /// <summary>What is left of -Timeout after the connect, for the handshake: one time limit for the whole call.</summary>
    private TimeSpan? Remaining(long started) =>
        BoundTimeout(Timeout) is { } limit ? TimeSpan.FromTicks(Math.Max(0, (limit - Stopwatch.GetElapsedTime(started)).Ticks)) : null;


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
