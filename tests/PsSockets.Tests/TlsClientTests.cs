using System;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Connect-Socket -Tls against Debian's `openssl s_server`, with certificates the tests make.</summary>
public sealed class TlsClientTests(PsSession ps) : SocketTestBase(ps)
{
    private static TestCertificates Certs => TestCertificates.Shared;

    [Theory]
    [InlineData("-tls1_2", "Tls12")]
    [InlineData("-tls1_3", "Tls13")]
    public void HandshakesWithEachVersionAndTalksBothWays(string version, string protocol)
    {
        using var server = OpensslServer.Start(Certs.Good, version);

        var result = Ps.Run("""
            $s = Connect-Socket localhost $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10
            $s.Tls.Protocol.ToString(); $s.Tls.CipherSuite.ToString(); $s.Tls.ServerName
            $s.Tls.RemoteCertificate.Thumbprint; $s.Tls.RemoteCertificate.DaysLeft; $s.Tls.RemoteCertificate.Subject
            $s.Tls.RemoteCertificate.Issuer; ($s.Tls.RemoteCertificate.SubjectAlternativeNames -join ','); $s.Tls.CertificateErrors.Count
            Send-SocketData $s "hello over tls`n"
            """, server.Port, Certs.CaPem).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(protocol, result[0]);
        Assert.StartsWith("TLS_", result[1]);
        Assert.Equal("localhost", result[2]);
        Assert.Equal(Certs.Good.Thumbprint, result[3]);
        Assert.Equal(((int)Math.Floor((Certs.Good.NotAfter - DateTime.Now).TotalDays)).ToString(), result[4]);
        Assert.Equal("CN=localhost", result[5]);
        Assert.Equal("CN=PsSockets Test CA", result[6]);
        Assert.Equal("localhost,127.0.0.1,::1", result[7]);
        Assert.Equal("0", result[8]);
        server.WaitForLine(l => l == "hello over tls", Seconds(10));

        server.WriteLine("answer from openssl");
        Assert.Equal("answer from openssl", Ps.Run("Receive-SocketData $s -Line -Timeout 10").Ok().Single);
    }

    [Fact]
    public void AnIpAddressIsCheckedAgainstTheCertificatesIpNames()
    {
        using var server = OpensslServer.Start(Certs.Good);

        var result = Ps.Run("(Connect-Socket 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10).Tls.ServerName", server.Port, Certs.CaPem).Ok();

        Assert.Equal("127.0.0.1", result.Single);
    }

    [Theory]
    [InlineData("expired", "expired: it was valid until")]
    [InlineData("othername", "name mismatch: it is for other.example, not 'localhost'")]
    [InlineData("untrusted", "untrusted root: its issuer 'CN=PsSockets Test CA' is not known here")]
    [InlineData("selfsigned", "untrusted root: it is self-signed ('CN=localhost')")]
    public void ARefusedCertificateIsAnErrorThatSaysWhy(string which, string reason)
    {
        var (cert, trust) = which switch
        {
            "expired" => (Certs.Expired, true),
            "othername" => (Certs.OtherName, true),
            "untrusted" => (Certs.Good, false),
            _ => (Certs.SelfSigned, false),
        };
        using var server = OpensslServer.Start(cert);

        var result = Ps.Run("""
            $trust = if ($args[2]) { @{ CertificateAuthority = $args[1] } } else { @{} }
            Connect-Socket localhost $args[0] -Tls -Timeout 10 @trust -ErrorVariable failed
            @(Get-Socket).Count; $failed[0].TargetObject.IsClosed
            """, server.Port, Certs.CaPem, trust);

        AssertError(result, "CertificateInvalid", ErrorCategory.SecurityError, "ConnectSocketCommand");
        Assert.Contains(reason, result.OnlyError.Exception.Message);
        Assert.Contains("'localhost'", result.OnlyError.Exception.Message);
        Assert.Equal([0, true], result.Values); // the socket it made is closed
    }

    [Fact]
    public void SkipCertificateCheckConnectsAndStillReportsTheProblemAsAWarning()
    {
        using var server = OpensslServer.Start(Certs.Expired);

        var result = Ps.Run("""
            $s = Connect-Socket localhost $args[0] -Tls -SkipCertificateCheck -CertificateAuthority $args[1] -Timeout 10 -WarningVariable w -WarningAction SilentlyContinue
            $s.State.ToString(); $s.Tls.CertificateErrors; $w.Count; $s.Tls.RemoteCertificate.DaysLeft -lt 0
            """, server.Port, Certs.CaPem).Ok().Values.ToList();

        Assert.Equal("Connected", result[0]);
        Assert.StartsWith("expired: it was valid until", result[1]?.ToString());
        Assert.Equal(1, result[2]);
        Assert.Equal(true, result[3]);
    }

    [Fact]
    public void ACustomRuleSeesTheCertificateChainAndErrorsAndDecides()
    {
        using var server = OpensslServer.Start(Certs.SelfSigned);

        var pinned = Ps.Run("""
            $pin = $args[1]
            $s = Connect-Socket localhost $args[0] -Tls -Timeout 10 -WarningAction SilentlyContinue -CertificateValidation {
                param($cert, $chain, $errors)
                $global:seen = "$($errors)|$($chain.GetType().Name)"
                $cert.Thumbprint -eq $pin
            }
            $s.Tls.Protocol.ToString(); $global:seen
            Close-Socket $s # s_server serves one connection at a time
            """, server.Port, Certs.SelfSigned.Thumbprint);
        var refused = Ps.Run("Connect-Socket localhost $args[0] -Tls -Timeout 10 -CertificateValidation { $false }", server.Port);
        var failing = Ps.Run("Connect-Socket localhost $args[0] -Tls -Timeout 10 -CertificateValidation { throw 'no rule today' }", server.Port);

        Assert.Equal("RemoteCertificateChainErrors|X509Chain", pinned.Ok().Values.ElementAt(1));
        AssertError(refused, "CertificateInvalid", ErrorCategory.SecurityError, "ConnectSocketCommand");
        Assert.Contains("the -CertificateValidation script block refused it (untrusted root", refused.OnlyError.Exception.Message);
        AssertError(failing, "CertificateInvalid", ErrorCategory.SecurityError, "ConnectSocketCommand");
        Assert.Contains("the -CertificateValidation script block failed: no rule today", failing.OnlyError.Exception.Message);
    }

    [Fact]
    public void ServerNameOverridesTheNameSentAndChecked()
    {
        using var server = OpensslServer.Start(Certs.Good, "-servername", "other.example", "-cert2", Certs.OtherName.CertPem, "-key2", Certs.OtherName.KeyPem);

        var result = Ps.Run("""
            # s_server serves one connection at a time: each is closed before the next
            $s = Connect-Socket 127.0.0.1 $args[0] -Tls -ServerName other.example -CertificateAuthority $args[1] -Timeout 10
            $s.Tls.RemoteCertificate.Subject; Close-Socket $s
            $s = Connect-Socket 127.0.0.1 $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10
            $s.Tls.RemoteCertificate.Subject; Close-Socket $s
            """, server.Port, Certs.CaPem).Ok().Values.ToList();

        Assert.Equal(["CN=other.example", "CN=localhost"], result);
    }

    [Fact]
    public void AVersionTheServerDoesNotSpeakFailsTheHandshake()
    {
        using var server = OpensslServer.Start(Certs.Good, "-tls1_3");

        var result = Ps.Run("Connect-Socket localhost $args[0] -Tls -TlsProtocol Tls12 -CertificateAuthority $args[1] -Timeout 10", server.Port, Certs.CaPem);

        AssertError(result, "TlsHandshakeFailed", ErrorCategory.ProtocolError, "ConnectSocketCommand");
        Assert.Contains("The TLS handshake of socket", result.OnlyError.Exception.Message);
    }

    [Theory]
    [InlineData("h2")]
    [InlineData("http/1.1")]
    public void AlpnSettlesOnWhatBothSidesSpeak(string offered)
    {
        using var server = OpensslServer.Start(Certs.Good, "-alpn", "h2,http/1.1");

        var result = Ps.Run("(Connect-Socket localhost $args[0] -Tls -ApplicationProtocol $args[2], 'spdy/1' -CertificateAuthority $args[1] -Timeout 10).Tls.ApplicationProtocol",
            server.Port, Certs.CaPem, offered).Ok();

        Assert.Equal(offered, result.Single);
    }

    [Fact]
    public void AlpnWithNothingInCommonIsRefusedByOpenssl()
    {
        using var server = OpensslServer.Start(Certs.Good, "-alpn", "h2,http/1.1");

        var result = Ps.Run("Connect-Socket localhost $args[0] -Tls -ApplicationProtocol imap -CertificateAuthority $args[1] -Timeout 10", server.Port, Certs.CaPem);

        AssertError(result, "TlsHandshakeFailed", ErrorCategory.ProtocolError, "ConnectSocketCommand");
        Assert.Contains("no application protocol", result.OnlyError.Exception.Message);
    }

    [Fact]
    public void WithoutAlpnNoProtocolIsAgreed()
    {
        using var server = OpensslServer.Start(Certs.Good, "-alpn", "h2");

        var result = Ps.Run("$null -eq (Connect-Socket localhost $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10).Tls.ApplicationProtocol", server.Port, Certs.CaPem).Ok();

        Assert.Equal(true, result.Single);
    }

    [Theory]
    [InlineData("-tls1_2")]
    [InlineData("-tls1_3")]
    public void AServerThatRequiresAClientCertificateGetsOne(string version)
    {
        using var server = OpensslServer.Start(Certs.Good, version, "-Verify", "1", "-CAfile", Certs.CaPem);

        Ps.Run("""
            $s = Connect-Socket localhost $args[0] -Tls -ClientCertificate $args[2] -CertificateAuthority $args[1] -Timeout 10
            Send-SocketData $s "from a known client`n"
            """, server.Port, Certs.CaPem, Certs.Client.Pfx).Ok();

        server.WaitForLine(l => l.Contains("CN = pssockets-client", StringComparison.Ordinal) || l.Contains("CN=pssockets-client", StringComparison.Ordinal), Seconds(10));
        server.WaitForLine(l => l == "from a known client", Seconds(10));
    }

    [Theory]
    [InlineData("-tls1_2")]
    [InlineData("-tls1_3")]
    public void WithoutTheClientCertificateTheServersRefusalIsATlsError(string version)
    {
        using var server = OpensslServer.Start(Certs.Good, version, "-Verify", "1", "-CAfile", Certs.CaPem);

        // TLS 1.2 refuses within the handshake; TLS 1.3 finishes the client's side first, and the refusal comes with the first read.
        var result = Ps.Run("""
            $s = Connect-Socket localhost $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10
            if ($s) { Receive-SocketData $s -Timeout 10; $s.State.ToString() }
            """, server.Port, Certs.CaPem);

        var error = result.OnlyError;
        Assert.Contains(error.FullyQualifiedErrorId.Split(',')[0], new[] { "TlsHandshakeFailed", "TlsFailed" });
        Assert.Equal(ErrorCategory.ProtocolError, error.CategoryInfo.Category);
        Assert.Matches("(?i)certificate|alert|handshake", error.Exception.Message);
        if (version == "-tls1_3")
        {
            Assert.Equal("Failed", result.Single?.ToString());
        }
    }

    [Fact]
    public void TlsGoesThroughASocksProxyAndChecksTheTargetsName()
    {
        using var server = OpensslServer.Start(Certs.Good);
        using var socks = PythonPeer.Listening("socks5_proxy.py", "none");

        var result = Ps.Run("""
            $s = Connect-Socket localhost $args[0] -Proxy "socks5://127.0.0.1:$($args[2])" -Tls -CertificateAuthority $args[1] -Timeout 10
            $s.Tls.ServerName; $s.Tls.RemoteCertificate.Subject
            Send-SocketData $s "through the tunnel`n"
            """, server.Port, Certs.CaPem, socks.Port).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(["localhost", "CN=localhost"], result);
        Assert.Equal("METHODS 00", socks.ReadLine(Seconds(10)));
        Assert.Equal($"TARGET domain localhost {server.Port}", socks.ReadLine(Seconds(10)));
        server.WaitForLine(l => l == "through the tunnel", Seconds(10));
    }

    [Fact]
    public void TlsMisuseIsRefusedBeforeAnythingIsConnected()
    {
        var withoutTls = Ps.Run("Connect-Socket 127.0.0.1 9 -SkipCertificateCheck");
        var unconnected = Ps.Run("Connect-Socket -Socket (New-Socket) -Tls");
        var nothing = Ps.Run("Connect-Socket -Tls");
        var datagram = Ps.Run("Connect-Socket 127.0.0.1 9 -Udp -Tls");

        Assert.Equal("TlsParameterWithoutTls,PsSockets.Commands.ConnectSocketCommand", withoutTls.OnlyError.FullyQualifiedErrorId);
        Assert.Contains("-SkipCertificateCheck is a TLS setting: add -Tls.", withoutTls.OnlyError.ToString());
        Assert.Equal("NothingToConnect,PsSockets.Commands.ConnectSocketCommand", unconnected.OnlyError.FullyQualifiedErrorId);
        Assert.Contains("it is not connected", unconnected.OnlyError.ToString());
        Assert.Equal("NothingToConnect,PsSockets.Commands.ConnectSocketCommand", nothing.OnlyError.FullyQualifiedErrorId);
        Assert.Equal("TlsWithDatagram,PsSockets.Commands.ConnectSocketCommand", datagram.OnlyError.FullyQualifiedErrorId);
        Assert.Equal(1, Ps.Run("@(Get-Socket).Count").Single); // only the New-Socket above
    }
}
