using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Start-SocketListener -Certificate / -SelfSignedCertificate: PsSockets as the TLS server, for openssl s_client and python3's ssl.</summary>
public sealed class TlsServerTests(PsSession ps) : SocketTestBase(ps)
{
    private static TestCertificates Certs => TestCertificates.Shared;

    [Theory]
    [InlineData("-tls1_2", "Tls12")]
    [InlineData("-tls1_3", "Tls13")]
    public async Task OpensslSClientVerifiesOurCertificateAndTalks(string version, string protocol)
    {
        int port = Convert.ToInt32(Ps.Run("$l = Start-SocketListener -Port 0 -Certificate $args[0]; $l.LocalEndPoint.Port", Certs.Good.Pfx).Ok().Single);
        var client = SClient(port, "hello from s_client\n", version, "-CAfile", Certs.CaPem, "-verify_return_error", "-verify_hostname", "localhost", "-servername", "localhost");

        var result = Ps.Run("""
            $s = Wait-SocketConnection $l -Timeout 10
            $s.Tls.Protocol.ToString(); $s.Tls.IsServer; $s.Tls.LocalCertificate.Thumbprint
            Receive-SocketData $s -Line -Timeout 10
            Send-SocketData $s "hello from PsSockets`n"
            Close-Socket $s
            """).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal([protocol, "True", Certs.Good.Thumbprint, "hello from s_client"], result);
        var (exit, output) = await client;
        Assert.Contains("hello from PsSockets", output);
        Assert.Equal(0, exit);
    }

    [Fact]
    public void PythonsSslModuleTrustsASelfSignedCertificateItWasGiven()
    {
        string caFile = Path.Combine(Certs.Folder, $"selfsigned-{Guid.NewGuid():N}.pem");
        int port = Convert.ToInt32(Ps.Run("""
            $l = Start-SocketListener -Port 0 -SelfSignedCertificate
            [IO.File]::WriteAllText($args[0], $l.TlsServer.Certificate.ExportCertificatePem())
            $l.LocalEndPoint.Port
            """, caFile).Ok().Single);
        using var client = PythonPeer.Start("tls_peer.py", "client", "echo", port.ToString(), caFile, "localhost");

        var result = Ps.Run("""
            $s = Wait-SocketConnection $l -Timeout 10
            $lines = 0
            while ($true) {
                try { $line = Receive-SocketData $s -Line -Timeout 10 -ErrorAction Stop } catch { break }
                Send-SocketData $s "$line`n"; $lines++
            }
            $lines; $s.PeerClosed
            Close-Socket $s # python's unwrap() waits for our close_notify
            """).Ok().Values.ToList();

        Assert.StartsWith("TLS TLSv1.3", client.ReadLine(Seconds(10)));
        Assert.Equal("OK echoed 10", client.ReadLine(Seconds(10)));
        Assert.Equal([10, true], result);
    }

    [Fact]
    public void AHandlerServerSecuresEveryClientOffTheAcceptThread()
    {
        var server = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -Certificate $args[0] -Handler {
                param($c)
                while ($true) {
                    try { $line = Receive-SocketData $c -Line -Timeout 10 -ErrorAction Stop } catch { break }
                    Send-SocketData $c "$line`n"
                }
            }
            $srv.LocalEndPoint.Port
            """, Certs.Good.CombinedPem).Ok();
        int port = Convert.ToInt32(server.Single);
        // A client that connects and never says hello must not hold up the others.
        using var silent = new System.Net.Sockets.TcpClient("127.0.0.1", port);

        using (var plain = new System.Net.Sockets.TcpClient("127.0.0.1", port))
        {
            plain.GetStream().Write("not a hello\r\n\r\n"u8);
            Assert.Equal(0, plain.GetStream().Read(new byte[16])); // the server hangs up on it
        }
        var refused = Ps.Run("$srv.Errors | ForEach-Object { $_.FullyQualifiedErrorId }; $srv.Failed").Ok().Values.ToList();
        Assert.Equal(["TlsHandshakeFailed", 1L], refused);

        var clients = Enumerable.Range(0, 5).Select(_ => PythonPeer.Start("tls_peer.py", "client", "echo", port.ToString(), Certs.CaPem, "localhost")).ToList();
        try
        {
            foreach (var client in clients)
            {
                Assert.StartsWith("TLS ", client.ReadLine(Seconds(20)));
                Assert.Equal("OK echoed 10", client.ReadLine(Seconds(20)));
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            Ps.Run("Get-SocketServer | Stop-SocketServer").Ok();
        }
    }

    [Fact]
    public async Task APlainClientFailsItsHandshakeAndTheListenerServesTheNext()
    {
        int port = Convert.ToInt32(Ps.Run("$l = Start-SocketListener -Port 0 -SelfSignedCertificate; $l.LocalEndPoint.Port").Ok().Single);
        using (var plain = new System.Net.Sockets.TcpClient("127.0.0.1", port))
        {
            plain.GetStream().Write("GET / HTTP/1.0\r\n\r\n"u8);
            var failed = Ps.Run("Wait-SocketConnection $l -Timeout 10; @(Get-Socket).Count");
            AssertError(failed, "TlsHandshakeFailed", ErrorCategory.ProtocolError, "WaitSocketConnectionCommand");
            Assert.Equal(1, failed.Single); // the refused client was closed; the listener stays
        }

        var next = SClient(port, "next\n");
        var served = Ps.Run("""
            $s = Wait-SocketConnection $l -Timeout 10
            $s.Tls.IsServer; Receive-SocketData $s -Line -Timeout 10; Close-Socket $s
            """).Ok();
        Assert.Equal([true, "next"], served.Values);
        Assert.Equal(0, (await next).Exit);
    }

    [Theory]
    [InlineData("pfx")]
    [InlineData("combined-pem")]
    [InlineData("certificate-object")]
    public void TheCertificateComesFromAPfxAPemOrAnObject(string form)
    {
        var script = form switch
        {
            "pfx" => "$l = Start-SocketListener -Port 0 -Certificate $args[0]",
            "combined-pem" => "$l = Start-SocketListener -Port 0 -Certificate $args[1]",
            _ => "$l = Start-SocketListener -Port 0 -Certificate ([System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile($args[2], $args[3]))",
        };

        var result = Ps.Run(script + "\n$l.TlsServer.Certificate.Thumbprint; $l.TlsServer.Certificate.HasPrivateKey",
            Certs.Good.Pfx, Certs.Good.CombinedPem, Certs.Good.CertPem, Certs.Good.KeyPem).Ok().Values.ToList();

        Assert.Equal([Certs.Good.Thumbprint, true], result);
    }

    [Fact]
    public void ACertificateWithoutItsKeyOrAMissingFileIsRefusedAtBinding()
    {
        var noKey = Ps.Run("Start-SocketListener -Port 0 -Certificate $args[0]", Certs.Good.CertPem);
        var missing = Ps.Run("Start-SocketListener -Port 0 -Certificate /nonexistent/cert.pem");
        var both = Ps.Run("Start-SocketListener -Port 0 -Certificate $args[0] -SelfSignedCertificate", Certs.Good.Pfx);
        var udp = Ps.Run("Start-SocketListener -Port 0 -Udp -SelfSignedCertificate");

        Assert.Contains("it has no private key", noKey.OnlyError.Exception.Message);
        Assert.Contains("Cannot find the certificate file '/nonexistent/cert.pem'", missing.OnlyError.Exception.Message);
        Assert.Equal("ParameterArgumentTransformationError,PsSockets.Commands.StartSocketListenerCommand", missing.OnlyError.FullyQualifiedErrorId);
        Assert.Equal("TlsMisuse,PsSockets.Commands.StartSocketListenerCommand", both.OnlyError.FullyQualifiedErrorId);
        Assert.Contains("DTLS is not supported", udp.OnlyError.Exception.Message);
        Assert.Equal(0, Ps.Run("@(Get-Socket).Count").Single);
    }

    [Fact]
    public void AClientThatNeverSaysHelloTimesOutTheAcceptOrIsStopped()
    {
        int port = Convert.ToInt32(Ps.Run("$l = Start-SocketListener -Port 0 -SelfSignedCertificate; $l.LocalEndPoint.Port").Ok().Single);
        using var silent = new System.Net.Sockets.TcpClient("127.0.0.1", port);

        var timedOut = Ps.Run("Wait-SocketConnection $l -Timeout 0.3");
        AssertError(timedOut, "OperationTimeout", ErrorCategory.OperationTimeout, "WaitSocketConnectionCommand");

        using var silent2 = new System.Net.Sockets.TcpClient("127.0.0.1", port);
        var stopped = Ps.RunAndStop("$ready.Set(); Wait-SocketConnection $l");
        AssertStoppedPromptly(stopped);
        Assert.Equal(1, Ps.Run("@(Get-Socket).Count").Single);
    }

    /// <summary>openssl s_client: sends <paramref name="input"/>, stays until the server closes (-quiet implies -ign_eof), returns its exit code and output.</summary>
    private static Task<(int Exit, string Output)> SClient(int port, string input, params string[] options)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["s_client", "-connect", $"127.0.0.1:{port}", "-quiet", .. options])
        {
            start.ArgumentList.Add(a);
        }
        var process = Process.Start(start)!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        return Task.Run(async () =>
        {
            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync();
                var errors = process.StandardError.ReadToEndAsync();
                using var limit = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(limit.Token);
                return (process.ExitCode, await output + await errors);
            }
        });
    }

    [Theory]
    [InlineData("ipv6")]
    [InlineData("unix")]
    public void TlsWorksOverIpv6AndUnixSockets(string where)
    {
        string path = Path.Combine(Path.GetTempPath(), $"pssockets-tls-{Guid.NewGuid():N}.sock");
        var result = Ps.Run("""
            $echo = { param($c) Send-SocketData $c "$(Receive-SocketData $c -Line -Timeout 10) over $($c.Tls.Protocol)`n" }
            if ($args[2] -eq 'ipv6') {
                $srv = Start-SocketListener -Address ::1 -Port 0 -Certificate $args[0] -Handler $echo
                $t = Connect-Socket ::1 $srv.LocalEndPoint.Port -Tls -CertificateAuthority $args[1] -Timeout 10
            } else {
                $srv = Start-SocketListener -Path $args[3] -Certificate $args[0] -Handler $echo
                $t = Connect-Socket -Path $args[3] -Tls -CertificateAuthority $args[1] -Timeout 10
            }
            $t.Tls.ServerName
            Invoke-SocketRequest $t 'hello' -Line -Timeout 10
            Stop-SocketServer $srv
            """, Certs.Good.Pfx, Certs.CaPem, where, path).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal([where == "ipv6" ? "::1" : "localhost", "hello over Tls13"], result);
    }

    [Theory]
    [InlineData("-tls1_2")]
    [InlineData("-tls1_3")]
    public async Task MutualTlsTakesAClientWithACertificateOfItsCaAndRefusesOthers(string version)
    {
        int port = Convert.ToInt32(Ps.Run("""
            $l = Start-SocketListener -Port 0 -Certificate $args[0] -RequireClientCertificate -CertificateAuthority $args[1]
            $l.LocalEndPoint.Port
            """, Certs.Good.Pfx, Certs.CaPem).Ok().Single);
        string[] trustServer = [version, "-CAfile", Certs.CaPem, "-servername", "localhost"];

        var known = SClient(port, "from a known client\n", [.. trustServer, "-cert", Certs.Client.CertPem, "-key", Certs.Client.KeyPem]);
        var accepted = Ps.Run("""
            $s = Wait-SocketConnection $l -Timeout 10
            $s.Tls.RemoteCertificate.Subject; Receive-SocketData $s -Line -Timeout 10; Close-Socket $s
            """).Ok().Values.Select(v => v?.ToString()).ToList();
        Assert.Equal(["CN=pssockets-client", "from a known client"], accepted);
        Assert.Equal(0, (await known).Exit);

        var anonymous = SClient(port, "anyone\n", trustServer);
        var noCertificate = Ps.Run("Wait-SocketConnection $l -Timeout 10");
        AssertError(noCertificate, "CertificateInvalid", ErrorCategory.SecurityError, "WaitSocketConnectionCommand");
        Assert.Contains("the client's certificate was refused: no certificate was sent", noCertificate.OnlyError.Exception.Message);
        await anonymous;

        var stranger = SClient(port, "stranger\n", [.. trustServer, "-cert", Certs.SelfSigned.CertPem, "-key", Certs.SelfSigned.KeyPem]);
        var untrusted = Ps.Run("Wait-SocketConnection $l -Timeout 10");
        AssertError(untrusted, "CertificateInvalid", ErrorCategory.SecurityError, "WaitSocketConnectionCommand");
        Assert.Contains("untrusted root", untrusted.OnlyError.Exception.Message);
        await stranger;
    }
}
