using System;
using System.Linq;
using System.Threading.Tasks;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Test-SocketConnection -Tls against Debian's openssl s_server on loopback, serving the test certificates: the
/// handshake facts a check reads (version, days left), certificates refused with the reason, and what -SkipCertificateCheck,
/// -ServerName, -ApplicationProtocol, -TlsProtocol, -ClientCertificate and -Send/-Expect do over TLS.
/// </summary>
public sealed class TestSocketConnectionTlsTests(PsSession ps) : SocketTestBase(ps)
{
    private static TestCertificates Certs => TestCertificates.Shared;

    [Theory]
    [InlineData("-tls1_3", "Tls13")]
    [InlineData("-tls1_2", "Tls12")]
    public void AGoodCertificateGivesTheVersionAndDaysLeft(string version, string protocol)
    {
        using var server = OpensslServer.Start(Certs.Good, version);
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10
            $r.Success; "$($r.TlsProtocol)"; $r.CertificateDaysLeft; $r.CertificateNotAfter; $r.Tls.RemoteCertificate.Thumbprint
            $r.Latency -gt [TimeSpan]::Zero -and $r.TlsLatency -gt [TimeSpan]::Zero
            $r.Tls.CertificateErrors.Count; $r.Tls.ServerName; $r.ErrorId
            """, server.Port, Certs.CaPem).Ok();

        Assert.Equal(new object?[]
        {
            true, protocol, (int)Math.Floor((Certs.Good.NotAfter - DateTime.Now).TotalDays), Certs.Good.NotAfter, Certs.Good.Thumbprint,
            true, 0, "127.0.0.1", null,
        }, result.Values);
    }

    [Theory]
    [InlineData("Expired", true, "expired: it was valid until ")]
    [InlineData("OtherName", true, "name mismatch: it is for other.example, not '127.0.0.1'")]
    [InlineData("SelfSigned", true, "untrusted root: it is self-signed ('CN=localhost') and not trusted here")]
    [InlineData("Good", false, "untrusted root: its issuer 'CN=PsSockets Test CA' is not known here")]
    public void ARefusedCertificateFailsTheCheckAndSaysWhy(string which, bool trustTestCa, string why)
    {
        var certificate = Certificate(which);
        using var server = OpensslServer.Start(certificate);
        var result = Ps.Run("""
            $trust = if ($args[2]) { @{ CertificateAuthority = $args[1] } } else { @{} }
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Tls @trust -Timeout 10
            $r.Success; $r.ErrorId; $r.Error; $null -eq $r.Tls; $r.CertificateNotAfter; $r.CertificateDaysLeft
            """, server.Port, Certs.CaPem, trustTestCa).Ok();

        Assert.Equal(new object?[] { false, "CertificateInvalid" }, result.Values.Take(2));
        string error = (string)result.Output[2].BaseObject;
        Assert.StartsWith($"The TLS certificate of '127.0.0.1' (127.0.0.1:{server.Port}) was refused: ", error, StringComparison.Ordinal);
        Assert.Contains(why, error, StringComparison.Ordinal);
        Assert.Equal(new object?[] { true, certificate.NotAfter, (int)Math.Floor((certificate.NotAfter - DateTime.Now).TotalDays) }, result.Values.Skip(3));
    }

    [Fact]
    public void SkipCertificateCheckSucceedsAndStillListsWhatIsWrong()
    {
        using var server = OpensslServer.Start(Certs.Expired);
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Tls -SkipCertificateCheck -Timeout 10
            $r.Success; $r.CertificateDaysLeft -lt 0
            $r.Tls.CertificateErrors
            """, server.Port).Ok();

        Assert.Equal(new object?[] { true, true }, result.Values.Take(2));
        var problems = result.Values.Skip(2).Cast<string>().ToList();
        Assert.Contains(problems, p => p.StartsWith("expired: it was valid until ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("untrusted root: ", StringComparison.Ordinal));
    }

    [Fact]
    public void ServerNameAndApplicationProtocolAreOffered()
    {
        using var server = OpensslServer.Start(Certs.Good, "-alpn", "h2");
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -ServerName localhost -ApplicationProtocol h2, http/1.1 -Timeout 10
            $r.Success; $r.Tls.ServerName; $r.Tls.ApplicationProtocol
            """, server.Port, Certs.CaPem).Ok();

        Assert.Equal(new object?[] { true, "localhost", "h2" }, result.Values);
    }

    [Fact]
    public void AProtocolVersionTheServerDoesNotSpeakFailsTheHandshake()
    {
        using var server = OpensslServer.Start(Certs.Good, "-tls1_2");
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -TlsProtocol Tls13 -Timeout 10
            $r.Success; $r.ErrorId; $r.Error
            """, server.Port, Certs.CaPem).Ok();

        Assert.Equal(new object?[] { false, "TlsHandshakeFailed" }, result.Values.Take(2));
        Assert.StartsWith($"The TLS handshake with 127.0.0.1:{server.Port} failed: ", (string)result.Output[2].BaseObject, StringComparison.Ordinal);
    }

    [Fact]
    public void AServerThatRequiresAClientCertificateAcceptsTheOneGiven()
    {
        using var server = OpensslServer.Start(Certs.Good, "-tls1_2", "-Verify", "1", "-CAfile", Certs.CaPem);
        var result = Ps.Run("""
            (Test-SocketConnection 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -ClientCertificate $args[2] -Timeout 10).Success
            (Test-SocketConnection 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10).ErrorId
            """, server.Port, Certs.CaPem, Certs.Client.Pfx).Ok();

        Assert.Equal(new object?[] { true, "TlsHandshakeFailed" }, result.Values);
    }

    [Fact]
    public void ATls13ServerRefusesAMissingClientCertificateAfterTheHandshakeWhichExpectSees()
    {
        using var server = OpensslServer.Start(Certs.Good, "-tls1_3", "-Verify", "1", "-CAfile", Certs.CaPem);
        var result = Ps.Run("""
            (Test-SocketConnection 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10).Success
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -Expect 'hello' -Timeout 10
            $r.Success; $r.ErrorId; $r.Error
            """, server.Port, Certs.CaPem).Ok();

        // TLS 1.3 finishes the client's handshake before the server judges the client: the alert comes with the first read.
        Assert.Equal(new object?[] { true, false, "TlsFailed" }, result.Values.Take(3));
        Assert.StartsWith($"The TLS session failed waiting for 'hello' from 127.0.0.1:{server.Port}: ", (string)result.Output[3].BaseObject, StringComparison.Ordinal);
        Assert.Contains("certificate required", (string)result.Output[3].BaseObject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAndExpectGoThroughTls()
    {
        using var server = OpensslServer.Start(Certs.Good);
        var checking = Task.Run(() => Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -Send "PING`n" -Expect '+PONG' -Timeout 20
            $r.Success; $r.Response; $r.Error
            """, server.Port, Certs.CaPem));

        server.WaitForLine(line => line == "PING", TimeSpan.FromSeconds(20)); // decrypted by s_server: it came through TLS
        server.WriteLine("+PONG");
        var result = (await checking.WaitAsync(TimeSpan.FromSeconds(30))).Ok();

        Assert.Equal(new object?[] { true, "+PONG\n", null }, result.Values);
    }

    private static TestCertificates.Issued Certificate(string which) => which switch
    {
        "Good" => Certs.Good,
        "Expired" => Certs.Expired,
        "OtherName" => Certs.OtherName,
        "SelfSigned" => Certs.SelfSigned,
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };
}
