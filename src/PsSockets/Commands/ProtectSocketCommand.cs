using System.Management.Automation;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets.Commands;

/// <summary>
/// Starts TLS on a connected socket (STARTTLS): as the client by default, checking the server's certificate;
/// as the server with -Certificate. Every send and receive after it is encrypted.
/// </summary>
[Cmdlet(VerbsSecurity.Protect, "Socket", DefaultParameterSetName = ClientSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PsSocket))]
public sealed class ProtectSocketCommand : SocketCmdlet
{
    private const string ClientSet = "Client";
    private const string ServerSet = "Server";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    /// <summary>The name sent as SNI and checked against the certificate; by default the peer's address.</summary>
    [Parameter(ParameterSetName = ClientSet)]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    [Parameter(ParameterSetName = ClientSet)]
    [ValidateNotNull]
    [CertificateTransformation]
    public X509Certificate2? ClientCertificate { get; set; }

    [Parameter(ParameterSetName = ClientSet)]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>The roots to trust instead of the system's: for the server's certificate, or (as the server) for client certificates.</summary>
    [Parameter]
    [AllowNull]
    [CertificateTransformation(Collection = true)]
    public X509Certificate2Collection? CertificateAuthority { get; set; }

    /// <summary>As the server: asks the client for a certificate, and refuses one without a valid certificate (mutual TLS).</summary>
    [Parameter(ParameterSetName = ServerSet)]
    public SwitchParameter RequireClientCertificate { get; set; }

    [Parameter(ParameterSetName = ClientSet)]
    [ValidateNotNull]
    public ScriptBlock? CertificateValidation { get; set; }

    /// <summary>Takes the server's side of the handshake, presenting this certificate (with its key).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ServerSet)]
    [ValidateNotNull]
    [CertificateTransformation]
    public X509Certificate2 Certificate { get; set; } = null!;

    [Parameter]
    public SslProtocols TlsProtocol { get; set; } = SslProtocols.None;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ApplicationProtocol { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        string role = ParameterSetName == ServerSet ? "server" : "client";
        if (!ShouldProcess(Socket.ToString(), $"Start TLS as the {role}"))
        {
            return;
        }
        if (ParameterSetName == ServerSet)
        {
            var settings = TlsArguments.Server(Certificate, TlsProtocol, ApplicationProtocol, RequireClientCertificate, CertificateAuthority);
            Socket.AuthenticateAsServer(settings, BoundTimeout(Timeout), StopToken);
        }
        else
        {
            var settings = TlsArguments.Client(ServerName, TlsProtocol, ClientCertificate, ApplicationProtocol, SkipCertificateCheck, CertificateAuthority, CertificateValidation);
            Socket.AuthenticateAsClient(settings, connectedName: null, BoundTimeout(Timeout), StopToken);
            TlsArguments.WarnAboutAcceptedProblems(this, Socket);
        }
        if (PassThru)
        {
            WriteObject(Socket);
        }
    }
}
