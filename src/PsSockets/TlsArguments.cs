using System.Linq;
using System.Management.Automation;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets.Commands;

/// <summary>The TLS client parameters as core settings; a -CertificateValidation script block becomes the custom rule.</summary>
internal static class TlsArguments
{
    public static TlsClientSettings Client(string? serverName, SslProtocols protocols, X509Certificate2? clientCertificate, string[]? applicationProtocols,
        bool skipCertificateCheck, X509Certificate2Collection? trustedRoots, ScriptBlock? validation) => new()
        {
            ServerName = serverName,
            Protocols = protocols,
            ClientCertificate = clientCertificate,
            ApplicationProtocols = applicationProtocols ?? [],
            SkipCertificateCheck = skipCertificateCheck,
            TrustedRoots = trustedRoots ?? [],
            Validation = validation is null ? null : (certificate, chain, errors) => Accepts(validation, certificate, chain, errors),
        };

    /// <summary>
    /// Runs the rule with the certificate, its chain and the errors found (param($cert, $chain, $errors)): it accepts
    /// the certificate by writing exactly one $true, and refuses it otherwise. It runs on the pipeline's own thread, during the handshake.
    /// </summary>
    private static bool Accepts(ScriptBlock rule, X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var output = rule.Invoke(certificate, chain, errors);
        return output.Count == 1 && output[0]?.BaseObject is true;
    }

    /// <summary>A certificate accepted despite its problems (-SkipCertificateCheck, a custom rule) says so, once per problem.</summary>
    public static void WarnAboutAcceptedProblems(Cmdlet cmdlet, PsSocket socket)
    {
        foreach (string problem in socket.Tls?.CertificateErrors ?? [])
        {
            cmdlet.WriteWarning($"The certificate of {socket.Tls!.ServerName} was accepted despite a problem: {problem}.");
        }
    }

    /// <summary>A TLS setting given without -Tls is a mistake to name, not to ignore.</summary>
    public static void RequireTlsSwitch(PSCmdlet cmdlet, bool tls, params string[] tlsParameters)
    {
        if (!tls && tlsParameters.FirstOrDefault(cmdlet.MyInvocation.BoundParameters.ContainsKey) is { } tlsOnly)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-{tlsOnly} is a TLS setting: add -Tls.", tlsOnly),
                "TlsParameterWithoutTls", ErrorCategory.InvalidArgument, tlsOnly));
        }
    }

    /// <summary>The TLS server parameters (Start-SocketListener, Protect-Socket -Certificate) as core settings.</summary>
    public static TlsServerSettings Server(X509Certificate2 certificate, SslProtocols protocols, string[]? applicationProtocols,
        bool requireClientCertificate, X509Certificate2Collection? clientAuthorities) => new(certificate)
        {
            Protocols = protocols,
            ApplicationProtocols = applicationProtocols ?? [],
            RequireClientCertificate = requireClientCertificate,
            TrustedRoots = clientAuthorities ?? [],
        };
}
