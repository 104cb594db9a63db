using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets.Commands;

/// <summary>
/// bind() + listen(): on loopback unless an address is chosen, on an ephemeral port unless one is given.
/// With -Handler, a concurrent server: each accepted connection runs the script block in a runspace of its own.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "SocketListener", DefaultParameterSetName = IpSet)]
[OutputType(typeof(PsSocket), ParameterSetName = [IpSet, PathSet])]
[OutputType(typeof(SocketServer), ParameterSetName = [IpHandlerSet, PathHandlerSet])]
public sealed class StartSocketListenerCommand : SocketMakingCmdlet
{
    private const string IpSet = "Ip";
    private const string PathSet = "Path";
    private const string IpHandlerSet = "IpHandler";
    private const string PathHandlerSet = "PathHandler";

    [Parameter(Position = 0, ParameterSetName = IpSet)]
    [Parameter(Position = 0, ParameterSetName = IpHandlerSet)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>The local address; loopback by default, since exposing a port to the network is an explicit choice.</summary>
    [Parameter(ParameterSetName = IpSet)]
    [Parameter(ParameterSetName = IpHandlerSet)]
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
    [Parameter(ParameterSetName = IpHandlerSet)]
    public SwitchParameter DualMode { get; set; }

    /// <summary>A unix domain socket path to listen on, or "@name" for a Linux abstract name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, ParameterSetName = PathHandlerSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces a socket file that a listener left behind without closing (never another kind of file).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = PathHandlerSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>A datagram socket bound to the port or path (UDP, unix datagram) instead of a stream listener: receive from it directly.</summary>
    [Parameter(ParameterSetName = IpSet)]
    [Parameter(ParameterSetName = PathSet)]
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

    /// <summary>
    /// Makes a concurrent server: each accepted connection runs this script block in a runspace of its own, with the
    /// client socket as its first argument (then -ArgumentList); the socket is closed when the script block ends.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = IpHandlerSet)]
    [Parameter(Mandatory = true, ParameterSetName = PathHandlerSet)]
    [ValidateNotNull]
    public ScriptBlock Handler { get; set; } = null!;

    /// <summary>The most handlers that run at once; further clients wait in the listener's backlog until one ends.</summary>
    [Parameter(ParameterSetName = IpHandlerSet)]
    [Parameter(ParameterSetName = PathHandlerSet)]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = 16;

    /// <summary>Arguments the handler gets after the client socket.</summary>
    [Parameter(ParameterSetName = IpHandlerSet)]
    [Parameter(ParameterSetName = PathHandlerSet)]
    [Alias("Args")]
    [AllowNull]
    [AllowEmptyCollection]
    public object?[] ArgumentList { get; set; } = [];

    /// <summary>Makes every accepted connection TLS, with this certificate and its key (an X509Certificate2, or a PEM/PFX path).</summary>
    [Parameter(ParameterSetName = IpSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = IpHandlerSet)]
    [Parameter(ParameterSetName = PathHandlerSet)]
    [ValidateNotNull]
    [CertificateTransformation]
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Makes every accepted connection TLS with a new self-signed certificate for localhost, 127.0.0.1 and ::1 (for experiments: no client trusts it unless told to).</summary>
    [Parameter(ParameterSetName = IpSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = IpHandlerSet)]
    [Parameter(ParameterSetName = PathHandlerSet)]
    public SwitchParameter SelfSignedCertificate { get; set; }

    /// <summary>The TLS versions accepted (Tls12, Tls13); by default the system's choice.</summary>
    [Parameter]
    public SslProtocols TlsProtocol { get; set; } = SslProtocols.None;

    /// <summary>ALPN protocols the server agrees to, in its order of preference.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ApplicationProtocol { get; set; }

    /// <summary>Asks every client for a certificate, and refuses a client without one the system finds valid (mutual TLS).</summary>
    [Parameter]
    public SwitchParameter RequireClientCertificate { get; set; }

    /// <summary>The CA certificates that issue client certificates, trusted instead of the system's roots (certificates, or PEM/DER paths).</summary>
    [Parameter]
    [AllowNull]
    [CertificateTransformation(Collection = true)]
    public X509Certificate2Collection? CertificateAuthority { get; set; }

    private bool Serving => ParameterSetName is IpHandlerSet or PathHandlerSet;

    protected override void Process()
    {
        var options = new SocketOptions
        {
            Name = Name,
            Named = IsBound(nameof(DualMode)) ? NamedOptions((nameof(DualMode), DualMode.IsPresent)) : NamedOptions(),
            Timeout = IsBound(nameof(Timeout)) ? Timeout : null,
            TraceLimit = TraceBudget,
        };
        bool datagram = Datagram || MulticastGroup is not null;
        if (datagram && IsBound(nameof(Backlog)))
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Backlog is the queue of connections waiting for accept; a datagram socket has no connections."),
                "BacklogWithDatagram", ErrorCategory.InvalidArgument, Backlog));
        }
        var tls = TlsSettings(datagram);
        var type = datagram ? SocketType.Dgram : SocketType.Stream;
        var usingValues = Serving ? UsingValues() : null;
        var made = ParameterSetName is PathSet or PathHandlerSet
            ? SocketFactory.ListenUnix(FileArguments.UnixSocket(this, Path), type, Backlog, Force, options)
            : MulticastGroup is not null
            ? SocketFactory.ListenMulticast(MulticastGroup, Port, Address, options)
            : datagram
            ? SocketFactory.Create(Address.AddressFamily, SocketType.Dgram, new IPEndPoint(Address, Port), options)
            : SocketFactory.Listen(new IPEndPoint(Address, Port), Backlog, options);
        made.TlsServer = tls;
        if (Serving)
        {
            Serve(made, usingValues);
            return;
        }
        var listener = Registry.Add(made);
        WriteVerbose(datagram ? $"Bound: {listener}." : $"Listening: {listener}, backlog {Backlog}{(tls is null ? "" : $", TLS with certificate {tls.Certificate.Subject} ({tls.Certificate.Thumbprint})")}.");
        WriteObject(listener);
    }

    /// <summary>The TLS of -Certificate or -SelfSignedCertificate, or null for a plain listener.</summary>
    private TlsServerSettings? TlsSettings(bool datagram)
    {
        string? misuse = (Certificate, SelfSignedCertificate.IsPresent, datagram) switch
        {
            (not null, true, _) => "Give -Certificate or -SelfSignedCertificate, not both.",
            (not null, _, true) or (_, true, true) => "TLS secures a byte stream; a datagram socket has none (DTLS is not supported).",
            (null, false, _) when new[] { nameof(TlsProtocol), nameof(ApplicationProtocol), nameof(RequireClientCertificate), nameof(CertificateAuthority) }.Any(IsBound) =>
                "-TlsProtocol, -ApplicationProtocol, -RequireClientCertificate and -CertificateAuthority are TLS settings: add -Certificate or -SelfSignedCertificate.",
            _ => null,
        };
        if (misuse is not null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(misuse), "TlsMisuse", ErrorCategory.InvalidArgument, Certificate));
        }
        var certificate = SelfSignedCertificate ? CertificateFiles.SelfSigned() : Certificate;
        return certificate is null ? null : TlsArguments.Server(certificate, TlsProtocol, ApplicationProtocol, RequireClientCertificate, CertificateAuthority);
    }

    /// <summary>Starts the accept loop on the listener; the listener belongs to the server, not to Get-Socket.</summary>
    private void Serve(PsSocket listener, IDictionary? usingValues)
    {
        SocketServer server;
        try
        {
            var runspaces = new HandlerRunspaces(HandlerRunspaces.ModulePath(MyInvocation.MyCommand.Module), CurrentFolder());
            server = new SocketServer(listener, Name, Handler, ArgumentList ?? [], usingValues, ThrottleLimit, runspaces);
            server.Start();
            SessionServers.Current.Add(server);
        }
        catch
        {
            listener.Close();
            throw;
        }
        WriteVerbose($"Serving: {server}, {ThrottleLimit} handlers at most, backlog {Backlog}.");
        WriteObject(server);
    }

    /// <summary>The values of the handler's $using: variables, as ForEach-Object -Parallel and Start-ThreadJob take them: now, from here.</summary>
    private Dictionary<string, object?>? UsingValues()
    {
        var usings = Handler.Ast.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true).Cast<UsingExpressionAst>().ToList();
        if (usings.Count == 0)
        {
            return null;
        }
        var values = new Dictionary<string, object?>();
        foreach (var usingAst in usings)
        {
            if (usingAst.SubExpression is not VariableExpressionAst variable)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"{usingAst.Extent.Text}: a handler takes $using: variables only, not expressions."),
                    "UsingExpressionNotVariable", ErrorCategory.InvalidArgument, usingAst.Extent.Text));
                return null;
            }
            string name = variable.VariablePath.UserPath;
            object? value = GetVariableValue(name);
            if (value is null && SessionState.PSVariable.Get(name) is null && !variable.VariablePath.IsDriveQualified)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"{usingAst.Extent.Text}: there is no variable '{name}' here to pass to the handler."),
                    "UsingVariableNotFound", ErrorCategory.ObjectNotFound, usingAst.Extent.Text));
            }
            values[UsingKey(usingAst)] = value;
        }
        return values;
    }

    /// <summary>The key PowerShell looks a $using: value up by: the expression's text, lower-cased, in base64 of UTF-16.</summary>
    private static string UsingKey(UsingExpressionAst usingAst) =>
        System.Convert.ToBase64String(System.Text.Encoding.Unicode.GetBytes(usingAst.ToString().ToLowerInvariant()));

    /// <summary>Where handlers start: this session's folder, when it is one of the file system.</summary>
    private string? CurrentFolder() =>
        SessionState.Path.CurrentLocation is { Provider.Name: "FileSystem" } location ? location.ProviderPath : null;
}
