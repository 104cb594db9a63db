using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets;

/// <summary>What a TLS client asks for and how it judges the server's certificate (Connect-Socket -Tls, Test-SocketConnection -Tls).</summary>
public sealed class TlsClientSettings
{
    /// <summary>
    /// Decides on a certificate the checks below did not settle: the certificate, its chain, and what the
    /// system found wrong with it (None when nothing). True accepts it.
    /// </summary>
    public delegate bool CertificateRule(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors);

    /// <summary>The name sent as SNI and checked against the certificate; null takes the name that was connected to.</summary>
    public string? ServerName { get; init; }

    /// <summary>The protocol versions allowed; None lets the system choose (TLS 1.2 and 1.3 on current systems).</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.None;

    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>ALPN protocol names to offer, in order of preference (h2, http/1.1, ...).</summary>
    public IReadOnlyList<string> ApplicationProtocols { get; init; } = [];

    /// <summary>Accepts any certificate; what was wrong with it is still reported in <see cref="TlsInfo.CertificateErrors"/>.</summary>
    public bool SkipCertificateCheck { get; init; }

    /// <summary>Roots to trust instead of the system's (as curl's --cacert); empty uses the system's trust store.</summary>
    public X509Certificate2Collection TrustedRoots { get; init; } = [];

    /// <summary>A custom rule that replaces the default verdict (valid chain and name).</summary>
    public CertificateRule? Validation { get; init; }

    /// <summary>Options for one handshake, and the check that records what it found for <see cref="CertificateCheck.Describe"/>.</summary>
    public SslClientAuthenticationOptions ToOptions(string connectedName, CertificateCheck check)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = ServerName ?? SniName(connectedName),
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => check.Judge(certificate, chain, errors, this),
        };
        if (ClientCertificate is not null)
        {
            options.ClientCertificates = [ClientCertificate];
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => ClientCertificate;
        }
        if (ApplicationProtocols.Count > 0)
        {
            options.ApplicationProtocols = ApplicationProtocols.Select(p => new SslApplicationProtocol(p)).ToList();
        }
        options.CertificateChainPolicy = TrustOnly(TrustedRoots);
        return options;
    }

    /// <summary>A chain policy that trusts exactly <paramref name="roots"/>; null (the system's trust store) when there are none.</summary>
    internal static X509ChainPolicy? TrustOnly(X509Certificate2Collection roots)
    {
        if (roots.Count == 0)
        {
            return null;
        }
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    /// <summary>The name to check the certificate against: the host as typed, without the brackets of an IPv6 literal.</summary>
    private static string SniName(string connectedName) =>
        connectedName.StartsWith('[') && connectedName.EndsWith(']') ? connectedName[1..^1] : connectedName;
}
