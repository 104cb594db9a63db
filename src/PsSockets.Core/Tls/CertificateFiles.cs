using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets;

/// <summary>Certificates from files (PEM, PFX/PKCS#12, DER), and a self-signed one for experiments.</summary>
public static class CertificateFiles
{
    /// <summary>
    /// The certificate in <paramref name="path"/>: a PEM file (with its private key when the file holds one),
    /// or a PFX/PKCS#12 or DER file (a PFX with a password needs <paramref name="password"/>).
    /// </summary>
    public static X509Certificate2 Load(string path, string? password = null)
    {
        try
        {
            if (IsPem(path))
            {
                string text = File.ReadAllText(path);
                if (!text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                {
                    throw Refused(path, "it is a PEM file without a certificate", null);
                }
                return text.Contains("PRIVATE KEY-----", StringComparison.Ordinal)
                    ? Portable(X509Certificate2.CreateFromPem(text, text))
                    : X509Certificate2.CreateFromPem(text);
            }
            return new X509Certificate2(path, password, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            string why = e.Message.Contains("password", StringComparison.OrdinalIgnoreCase)
                ? "it is a PFX whose password is wrong or missing; load it with [System.Security.Cryptography.X509Certificates.X509Certificate2]::new(path, password)"
                : $"it is not a certificate PsSockets can read ({e.Message.TrimEnd('.')})";
            throw Refused(path, why, e);
        }
    }

    /// <summary>Every certificate in <paramref name="path"/> (a PEM bundle of CA certificates, or one DER/PFX).</summary>
    public static X509Certificate2Collection LoadAll(string path)
    {
        var all = new X509Certificate2Collection();
        try
        {
            if (IsPem(path))
            {
                all.ImportFromPemFile(path);
            }
            else
            {
                all.Import(path);
            }
        }
        catch (CryptographicException e)
        {
            throw Refused(path, $"it is not a certificate file PsSockets can read ({e.Message.TrimEnd('.')})", e);
        }
        if (all.Count == 0)
        {
            throw Refused(path, "it holds no certificate", null);
        }
        return all;
    }

    /// <summary>
    /// A self-signed certificate with its key (ECDSA P-256) for <paramref name="names"/> — by default localhost,
    /// 127.0.0.1 and ::1 — valid from yesterday for <paramref name="days"/> days. No client trusts it unless told to.
    /// </summary>
    public static X509Certificate2 SelfSigned(string[]? names = null, int days = 30)
    {
        names = names is { Length: > 0 } ? names : ["localhost", "127.0.0.1", "::1"];
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var made = request.CreateSelfSigned(DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(days));
        return Portable(made);
    }

    private static bool IsPem(string path)
    {
        Span<byte> start = stackalloc byte[64];
        using var file = File.OpenRead(path);
        int read = file.Read(start);
        return System.Text.Encoding.ASCII.GetString(start[..read]).TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);
    }

    /// <summary>A copy whose key lives with it as a PFX does: an ephemeral key (from PEM, or made here) cannot serve TLS on Windows.</summary>
    private static X509Certificate2 Portable(X509Certificate2 withEphemeralKey)
    {
        using (withEphemeralKey)
        {
            return new X509Certificate2(withEphemeralKey.Export(X509ContentType.Pfx), (string?)null, X509KeyStorageFlags.Exportable);
        }
    }

    private static SocketOperationException Refused(string path, string why, Exception? inner) =>
        new(SocketFailure.InvalidArgument, $"Cannot use the certificate file '{path}': {why}.", path, inner);
}
