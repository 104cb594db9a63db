using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// The certificates the TLS tests serve, made once per test run in a temporary folder as PEM files
/// (for openssl and python) and PFX files (for PsSockets): a test CA, certificates it signed (good,
/// expired, for another name, a client's), and a self-signed one no one trusts.
/// </summary>
public sealed class TestCertificates
{
    private static readonly Lazy<TestCertificates> s_shared = new(() => new TestCertificates());

    private TestCertificates()
    {
        Folder = Directory.CreateTempSubdirectory("pssockets-certs-").FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=PsSockets Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.Now.AddDays(-60), DateTimeOffset.Now.AddYears(2)); // before the expired certificate it signs
        CaPem = Write("ca.pem", ca.ExportCertificatePem());

        Good = Issue(ca, "good", "localhost", DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(90), serverAuth: true);
        Expired = Issue(ca, "expired", "localhost", DateTimeOffset.Now.AddDays(-30), DateTimeOffset.Now.AddDays(-1), serverAuth: true);
        OtherName = Issue(ca, "othername", "other.example", DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(90), serverAuth: true);
        Client = Issue(ca, "client", "pssockets-client", DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(90), serverAuth: false);
        SelfSigned = SelfSign("selfsigned", "localhost");
    }

    public static TestCertificates Shared => s_shared.Value;

    public string Folder { get; }

    /// <summary>The test CA's certificate (PEM): trust it with -CertificateAuthority.</summary>
    public string CaPem { get; }

    /// <summary>For localhost, 127.0.0.1 and ::1, signed by the test CA, valid for 90 days.</summary>
    public Issued Good { get; }

    /// <summary>For localhost, signed by the test CA, expired yesterday.</summary>
    public Issued Expired { get; }

    /// <summary>For other.example only, signed by the test CA.</summary>
    public Issued OtherName { get; }

    /// <summary>A client certificate (clientAuth), signed by the test CA.</summary>
    public Issued Client { get; }

    /// <summary>For localhost, self-signed: no one trusts it.</summary>
    public Issued SelfSigned { get; }

    /// <summary>A certificate as files: PEM certificate, PEM key, one PEM holding both, and a PFX without a password.</summary>
    public sealed record Issued(string CertPem, string KeyPem, string CombinedPem, string Pfx, string Thumbprint, DateTime NotAfter);

    private Issued Issue(X509Certificate2 ca, string file, string name, DateTimeOffset from, DateTimeOffset until, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request(name, key, serverAuth);
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(ca, from, until, serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return Save(file, withKey, key);
    }

    private Issued SelfSign(string file, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = Request(name, key, serverAuth: true).CreateSelfSigned(DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(90));
        return Save(file, cert, key);
    }

    private static CertificateRequest Request(string name, ECDsa key, bool serverAuth)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        if (name == "localhost")
        {
            san.AddIpAddress(IPAddress.Loopback);
            san.AddIpAddress(IPAddress.IPv6Loopback);
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        return request;
    }

    private Issued Save(string file, X509Certificate2 cert, ECDsa key)
    {
        string certPem = cert.ExportCertificatePem();
        string keyPem = key.ExportPkcs8PrivateKeyPem();
        return new Issued(
            Write(file + ".pem", certPem),
            Write(file + ".key", keyPem),
            Write(file + "-combined.pem", certPem + "\n" + keyPem),
            WriteBytes(file + ".pfx", cert.Export(X509ContentType.Pfx)),
            cert.Thumbprint,
            cert.NotAfter);
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
