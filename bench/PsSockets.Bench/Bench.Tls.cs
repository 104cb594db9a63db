using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets.Bench;

/// <summary>9. TLS: a bulk receive through TLS into a file, against raw .NET's SslStream and python3's ssl module.</summary>
internal sealed partial class Bench
{
    public void Tls()
    {
        long total = _z.BulkBytes / 2;
        _log($"9. TLS, {total >> 20} MiB per run");
        var row = new Row("9 TLS", "TLS bulk receive into a file: Receive-SocketData -ToEnd -OutFile on Connect-Socket -Tls", "GB/s", Better.Higher);
        row.Notes.Add("The sender is one raw .NET SslStream (TLS 1.3, ECDSA P-256, the system's cipher choice) writing 1 MiB pieces; every receiver trusts its certificate, and times from the end of the handshake to the file closed. raw .NET: SslStream.Read into 1 MiB + FileStream.Write; python3: ssl recv_into 1 MiB + write.");
        using var certificate = SelfSignedCertificate();
        string caFile = Path.Combine(_scratch, "tls-ca.pem");
        File.WriteAllText(caFile, certificate.ExportCertificatePem());
        string outFile = Path.Combine(_scratch, "tls-received.bin");
        var payload = new byte[1024 * 1024];
        Random.Shared.NextBytes(payload);

        double FromTlsSender(Func<int, double> receive)
        {
            using var sender = new Peer<long>(listener => SendOverTls(listener, certificate, payload, total));
            double seconds = receive(sender.Port);
            sender.Wait(TimeSpan.FromMinutes(5));
            long length = new FileInfo(outFile).Length;
            File.Delete(outFile);
            return length == total ? GBps(total, seconds) : throw new InvalidOperationException($"the file has {length} bytes, expected {total}");
        }

        bool hasTls = _ps.HasCommand("Connect-Socket", "Tls");
        if (!hasTls)
        {
            row.PsMissing = "Connect-Socket has no -Tls yet";
        }
        Measure(row,
            hasTls ? () => FromTlsSender(port => _ps.RunNumber(Scripts.TlsReceiveToFile, ScriptLimit, port, outFile, caFile)) : null,
            () => FromTlsSender(port => RawTlsReceive(port, certificate, outFile)),
            _py is null ? null : () => FromTlsSender(port => _py.Call(new { op = "tls_recv_file", port, path = outFile, cafile = caFile }, PyLimit).GetProperty("elapsed").GetDouble()));
        Rows.Add(row);
    }

    private static long SendOverTls(Socket listener, X509Certificate2 certificate, byte[] payload, long total)
    {
        using var s = Net.Accept(listener);
        using var tls = new SslStream(new NetworkStream(s, ownsSocket: false));
        tls.AuthenticateAsServer(new SslServerAuthenticationOptions { ServerCertificate = certificate });
        long sent = 0;
        while (sent < total)
        {
            int n = (int)Math.Min(payload.Length, total - sent);
            tls.Write(payload, 0, n);
            sent += n;
        }
        tls.ShutdownAsync().GetAwaiter().GetResult();
        s.Shutdown(SocketShutdown.Send);
        while (s.Receive(payload) > 0)
        {
            // until the receiver closes: nothing it sent back is left unread, so the close is a FIN, not a reset
        }
        return sent;
    }

    private static double RawTlsReceive(int port, X509Certificate2 certificate, string outFile)
    {
        using var guard = new Watchdog(TimeSpan.FromMinutes(5));
        using var s = Net.Connect(port, guard);
        using var tls = new SslStream(new NetworkStream(s, ownsSocket: false));
        tls.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
        });
        var sw = Stopwatch.StartNew();
        using (var fs = new FileStream(outFile, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            var buffer = new byte[1024 * 1024];
            int n;
            while ((n = tls.Read(buffer, 0, buffer.Length)) > 0)
            {
                fs.Write(buffer, 0, n);
            }
        }
        return sw.Elapsed.TotalSeconds;
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(7));
        return new X509Certificate2(made.Export(X509ContentType.Pfx));
    }
}
