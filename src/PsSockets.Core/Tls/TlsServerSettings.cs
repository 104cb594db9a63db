using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets;

/// <summary>What a TLS server presents (Start-SocketListener -Certificate, a server-side upgrade).</summary>
public sealed class TlsServerSettings
{
    public TlsServerSettings(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"Cannot serve TLS with the certificate '{certificate.Subject}': it has no private key. Load it from a PFX, or from a PEM file that holds the key too.", certificate);
        }
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    public SslProtocols Protocols { get; init; } = SslProtocols.None;

    /// <summary>ALPN names the server accepts, in its order of preference.</summary>
    public IReadOnlyList<string> ApplicationProtocols { get; init; } = [];

    /// <summary>Asks every client for a certificate and refuses one without a valid certificate (mutual TLS).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>Roots to trust for client certificates instead of the system's.</summary>
    public X509Certificate2Collection TrustedRoots { get; init; } = [];

    internal SslServerAuthenticationOptions ToOptions(CertificateCheck check)
    {
        return new SslServerAuthenticationOptions
        {
            ServerCertificate = Certificate,
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateRequired = RequireClientCertificate,
            ApplicationProtocols = ApplicationProtocols.Count > 0 ? ApplicationProtocols.Select(p => new SslApplicationProtocol(p)).ToList() : null,
            // Without a requirement, any client goes; with one, only a client whose certificate the system finds nothing wrong with.
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => check.Judge(certificate, chain, errors, rule: null, acceptAny: !RequireClientCertificate, serverName: null),
            CertificateChainPolicy = TlsClientSettings.TrustOnly(TrustedRoots),
        };
    }
}
