using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets;

/// <summary>What a TLS handshake settled: the version, the cipher suite, ALPN, and the peer's certificate.</summary>
public sealed class TlsInfo
{
    internal TlsInfo(SslStream stream, bool isServer, string? serverName, CertificateCheck? check)
    {
        IsServer = isServer;
        ServerName = serverName;
        Protocol = stream.SslProtocol;
        CipherSuite = stream.NegotiatedCipherSuite;
        ApplicationProtocol = stream.NegotiatedApplicationProtocol.Protocol.Length > 0 ? stream.NegotiatedApplicationProtocol.ToString() : null;
        var remote = check?.Certificate ?? (stream.RemoteCertificate is { } c ? c as X509Certificate2 ?? new X509Certificate2(c) : null);
        RemoteCertificate = remote is null ? null : new CertificateSummary(remote);
        LocalCertificate = stream.LocalCertificate is { } l ? new CertificateSummary(l as X509Certificate2 ?? new X509Certificate2(l)) : null;
        CertificateErrors = check is null || serverName is null ? [] : check.Problems(serverName).ToArray();
    }

    /// <summary>Builds the facts of a finished handshake (for code that runs its own SslStream, as Test-SocketConnection does).</summary>
    public static TlsInfo FromStream(SslStream stream, bool isServer, string? serverName, CertificateCheck? check) =>
        new(stream, isServer, serverName, check);

    public SslProtocols Protocol { get; }

    public TlsCipherSuite CipherSuite { get; }

    /// <summary>The ALPN protocol both sides agreed on, or null when none was.</summary>
    public string? ApplicationProtocol { get; }

    /// <summary>True on the server's side of the connection.</summary>
    public bool IsServer { get; }

    /// <summary>The name the certificate was checked against (the client's side only).</summary>
    public string? ServerName { get; }

    /// <summary>The peer's certificate: the server's for a client; a client's certificate, if it sent one, for a server.</summary>
    public CertificateSummary? RemoteCertificate { get; }

    public CertificateSummary? LocalCertificate { get; }

    /// <summary>What was wrong with the peer's certificate when it was accepted anyway (-SkipCertificateCheck, a custom rule); empty when nothing.</summary>
    public string[] CertificateErrors { get; }

    public override string ToString() =>
        ApplicationProtocol is null ? $"{Protocol} {CipherSuite}" : $"{Protocol} {CipherSuite} ({ApplicationProtocol})";
}

/// <summary>A certificate at a glance: who it is for, who issued it, and how long it has left.</summary>
public sealed class CertificateSummary
{
    internal CertificateSummary(X509Certificate2 certificate)
    {
        Certificate = certificate;
        Subject = certificate.Subject;
        Issuer = certificate.Issuer;
        NotBefore = certificate.NotBefore;
        NotAfter = certificate.NotAfter;
        Thumbprint = certificate.Thumbprint;
        SubjectAlternativeNames = NamesOf(certificate).ToArray();
    }

    public string Subject { get; }

    public string Issuer { get; }

    public DateTime NotBefore { get; }

    public DateTime NotAfter { get; }

    /// <summary>Whole days until NotAfter, counted now; negative once expired.</summary>
    public int DaysLeft => (int)Math.Floor((NotAfter - DateTime.Now).TotalDays);

    public string Thumbprint { get; }

    /// <summary>The DNS names and IP addresses the certificate is for (its subject alternative names).</summary>
    public string[] SubjectAlternativeNames { get; }

    /// <summary>The certificate itself, for everything else (Extensions, PublicKey, Export).</summary>
    public X509Certificate2 Certificate { get; }

    public override string ToString() => $"{Subject} (until {NotAfter:yyyy-MM-dd}, {DaysLeft} days left)";

    /// <summary>The subject alternative names: DNS names and IP addresses.</summary>
    internal static List<string> NamesOf(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }
        return names;
    }
}
