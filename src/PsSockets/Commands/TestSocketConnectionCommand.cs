using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets.Commands;

/// <summary>
/// A network check: every host and port, in parallel, one result each in the order given (or one boolean each
/// with -Quiet). A closed port is a result that says so, not an error.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SocketConnection")]
[OutputType(typeof(ConnectionCheckResult))]
[OutputType(typeof(bool))]
public sealed class TestSocketConnectionCommand : SocketCmdlet
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_defaultWaitTimeout = TimeSpan.FromSeconds(60);

    private ConnectionChecker? _checker;

    /// <summary>Host names or addresses; 'host:port' and '[::1]:443' carry their port. Sockets check their remote (or listening) endpoint.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [CheckTargetTransformation]
    [Alias("HostName", "Host")]
    public string[] ComputerName { get; set; } = [];

    /// <summary>The ports to check on every host; may be left out when each name carries its port.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int[]? Port { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    [Parameter]
    [ValidateRange(1, 100_000)]
    public int ThrottleLimit { get; set; } = 64;

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    [Parameter]
    public SwitchParameter Wait { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Send { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Expect { get; set; }

    [Parameter]
    [ValidateSet(nameof(System.Net.Sockets.AddressFamily.Unspecified), nameof(System.Net.Sockets.AddressFamily.InterNetwork), nameof(System.Net.Sockets.AddressFamily.InterNetworkV6))]
    public AddressFamily AddressFamily { get; set; } = AddressFamily.Unspecified;

    [Parameter]
    public SwitchParameter Tls { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    [Parameter]
    public SslProtocols TlsProtocol { get; set; } = SslProtocols.None;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ApplicationProtocol { get; set; }

    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Roots to trust instead of the system's; $null (a data-driven check's "no private CA") keeps the system's.</summary>
    [Parameter]
    [AllowNull]
    [CertificateTransformation(Collection = true)]
    public X509Certificate2Collection? CertificateAuthority { get; set; }

    [Parameter]
    [ValidateNotNull]
    [CertificateTransformation]
    public X509Certificate2? ClientCertificate { get; set; }

    private static readonly string[] s_tlsParameters =
        [nameof(ServerName), nameof(TlsProtocol), nameof(ApplicationProtocol), nameof(SkipCertificateCheck), nameof(CertificateAuthority), nameof(ClientCertificate)];

    protected override void Begin()
    {
        TlsArguments.RequireTlsSwitch(this, Tls, s_tlsParameters);
        _checker = new ConnectionChecker(new ConnectionCheckSettings
        {
            Timeout = BoundTimeout(Timeout) ?? (Wait ? s_defaultWaitTimeout : s_defaultTimeout),
            AddressFamily = AddressFamily,
            Tls = Tls ? TlsSettings() : null,
            Send = Send,
            Expect = Expect,
            Wait = Wait,
            ThrottleLimit = ThrottleLimit,
        }, StopToken);
    }

    protected override void Process()
    {
        foreach (string name in ComputerName)
        {
            if (Target(name) is { } target)
            {
                foreach (int port in target.Port is { } own ? [own] : Port!)
                {
                    _checker!.Add(target.Host!, port);
                }
            }
        }
        while (_checker!.TryTakeNext(out var result))
        {
            Write(result);
        }
    }

    protected override void End()
    {
        while (_checker!.TakeNext() is { } result)
        {
            Write(result);
        }
    }

    protected override void Release() => _checker?.Dispose();

    private void Write(ConnectionCheckResult result)
    {
        if (VerboseWanted)
        {
            Verbose(Calls(result));
        }
        WriteObject(Quiet ? result.Success : result);
    }

    /// <summary>
    /// What the check did, as calls: the checks run at once on threads of their own, so this is told from each result
    /// as it comes. Never the -Expect response or the error text, which may quote what the peer sent.
    /// </summary>
    private static string Calls(ConnectionCheckResult result)
    {
        string where = result.RemoteAddress is { } address ? PsSocket.FormatEndPoint(new IPEndPoint(address, result.Port)) : result.Target;
        if (!result.Success)
        {
            var failure = Enum.TryParse(result.ErrorId, out SocketFailure known) ? known : SocketFailure.Unknown;
            string call = failure switch
            {
                SocketFailure.TlsHandshakeFailed or SocketFailure.CertificateInvalid => "do_handshake()",
                SocketFailure.UnexpectedResponse => "recv() of the -Expect answer",
                _ => $"connect({where})",
            };
            return $"{result.Target}: {call} failed: {Errno.Name(failure)} after {SocketCallLog.Took(result.Elapsed)}, {result.Attempts} attempt(s); close()";
        }
        string tls = result.Tls is null ? "" : $", do_handshake() -> {result.Tls} in {SocketCallLog.Took(result.TlsLatency ?? TimeSpan.Zero)}";
        string exchange = result.Response is null ? "" : ", send()/recv() of the -Send/-Expect exchange";
        return $"{result.Target}: connect({where}) ok in {SocketCallLog.Took(result.Latency ?? TimeSpan.Zero)}{tls}{exchange}, close()";
    }

    /// <summary>The host and its own port, or null after writing why this name cannot be checked (the others still are).</summary>
    private EndPointText? Target(string name)
    {
        EndPointText target;
        try
        {
            target = EndPointText.Parse(name);
        }
        catch (SocketOperationException e)
        {
            WriteSocketError(e);
            return null;
        }
        string? misuse = target.UnixPath is not null
            ? $"'{name}' is a unix socket path; Test-SocketConnection checks TCP ports (Connect-Socket -Path connects to a unix socket)."
            : (Port is { Length: > 0 }, target.Port) switch
            {
                (true, not null) => EndPointText.PortGivenTwice(name),
                (false, null) => $"Test-SocketConnection needs a port for '{name}': give -Port, or write it into the name ('{name}:443', '[::1]:443').",
                (false, 0) => $"Port 0 of '{name}' cannot be connected to.",
                _ => null,
            };
        if (misuse is null)
        {
            return target;
        }
        WriteError(new ErrorRecord(new PSArgumentException(misuse, nameof(Port)), "PortMissingOrTwice", ErrorCategory.InvalidArgument, name));
        return null;
    }

    private TlsClientSettings TlsSettings() =>
        TlsArguments.Client(ServerName, TlsProtocol, ClientCertificate, ApplicationProtocol, SkipCertificateCheck, CertificateAuthority, validation: null);
}
