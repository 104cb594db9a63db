using System;
using System.Collections.Generic;
using System.Globalization;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// Debian's `openssl s_server` on a loopback port it picks itself (it prints "ACCEPT 127.0.0.1:port"):
/// a TLS peer no one here wrote. What a client sends shows on its stdout, among s_server's own report
/// of each handshake; what the test writes to its stdin goes to the client. (-quiet would hide the port.)
/// </summary>
public sealed class OpensslServer : IDisposable
{
    private readonly LineProcess _process;

    private OpensslServer(IEnumerable<string> args) => _process = new LineProcess("openssl", args);

    public int Port { get; private set; }

    /// <summary>
    /// Starts s_server with <paramref name="certificate"/> and any further s_server options
    /// (-tls1_2, -tls1_3, -alpn h2, -Verify 1 -CAfile ca.pem, ...); returns once it accepts.
    /// </summary>
    public static OpensslServer Start(TestCertificates.Issued certificate, params string[] options)
    {
        var server = new OpensslServer(["s_server", "-accept", "127.0.0.1:0", "-cert", certificate.CertPem, "-key", certificate.KeyPem, .. options]);
        string accept = server.WaitForLine(l => l.StartsWith("ACCEPT ", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        server.Port = int.Parse(accept[(accept.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        return server;
    }

    /// <summary>The first line s_server prints from now on that <paramref name="wanted"/> accepts; fails after <paramref name="timeout"/>.</summary>
    public string WaitForLine(Func<string, bool> wanted, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = until - DateTime.UtcNow;
            string line = _process.ReadLine(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (wanted(line))
            {
                return line;
            }
        }
    }

    /// <summary>Sends a line to the connected client.</summary>
    public void WriteLine(string line) => _process.WriteLine(line);

    public void Dispose() => _process.Dispose();
}
