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

    internal SslServerAuthenticationOptions ToOptions() => new()
    {
        ServerCertificate = Certificate,
        EnabledSslProtocols = Protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ClientCertificateRequired = false,
        ApplicationProtocols = ApplicationProtocols.Count > 0 ? ApplicationProtocols.Select(p => new SslApplicationProtocol(p)).ToList() : null,
    };
}
