using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Secure defaults (issue 9, part 4): everything that listens binds loopback unless an address is given, and then
/// binds it without a warning; every TLS client checks the server's certificate unless told not to. (TlsClientTests
/// and TestSocketConnectionTlsTests refuse expired, wrongly named and unknown-CA certificates from openssl; this is
/// the self-signed listener a user makes for an experiment, met by each of the three TLS clients. The other
/// defaults have classes of their own: PayloadLoggingTests, UnixSocketFileTests.)
/// </summary>
public sealed class SecureDefaultsTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void EverythingThatListensBindsLoopbackUnlessAnAddressIsGiven()
    {
        var result = Ps.Run("""
            (Start-SocketListener -Port 0).LocalEndPoint
            (Start-SocketListener -Port 0 -Datagram).LocalEndPoint
            ($srv = Start-SocketListener -Port 0 -Handler { }).LocalEndPoint
            ($r1 = Start-SocketRelay 0 127.0.0.1:9).ListenEndPoint
            ($r2 = Start-SocketRelay -ListenPort 0 -Target 127.0.0.1:9).ListenEndPoint
            ($r3 = Start-SocketRelay 0 127.0.0.1:9 -Udp).ListenEndPoint
            ($r4 = Start-SocketRelay localhost:0 127.0.0.1:9).ListenEndPoint
            (New-Socket -LocalPort 0).LocalEndPoint
            (New-Socket -Type Dgram -LocalPort 0).LocalEndPoint
            (New-Socket -AddressFamily InterNetworkV6 -LocalPort 0).LocalEndPoint
            Stop-SocketServer $srv; $r1, $r2, $r3, $r4 | Stop-SocketRelay
            """).Ok();

        var addresses = result.Values.Cast<IPEndPoint>().Select(e => e.Address).ToList();
        Assert.Equal(10, addresses.Count);
        Assert.All(addresses, a => Assert.True(IPAddress.IsLoopback(a), $"{a} is not a loopback address"));
        Assert.Equal(IPAddress.IPv6Loopback, addresses[^1]);

        // Given, any address is taken as the choice it is: bound, with no warning to silence.
        var given = Ps.Run("""
            (Start-SocketListener -Port 0 -Address 0.0.0.0).LocalEndPoint.Address
            ($r = Start-SocketRelay -ListenPort 0 -ListenAddress :: -Target 127.0.0.1:9).ListenEndPoint.Address
            (New-Socket -LocalAddress 0.0.0.0 -LocalPort 0).LocalEndPoint.Address
            Stop-SocketRelay $r
            """).Ok();
        Assert.Equal(new object?[] { IPAddress.Any, IPAddress.IPv6Any, IPAddress.Any }, given.Values);
        Assert.Empty(given.Warnings);
    }

    [Fact]
    public void EveryTlsClientRefusesAnUntrustedServerUnlessToldToSkipTheCheck()
    {
        // $srv speaks TLS from the start; $plain upgrades each connection (STARTTLS), for Protect-Socket.
        Ps.Run("""
            $srv = Start-SocketListener -Port 0 -SelfSignedCertificate -Handler { param($c) Send-SocketData $c -Line 'hello' }
            $port = $srv.LocalEndPoint.Port
            $plain = Start-SocketListener -Port 0 -ArgumentList $args[0] -Handler {
                param($c, $pfx)
                Protect-Socket $c -Certificate $pfx -Timeout 5
                Send-SocketData $c -Line 'hello'
            }
            """, TestCertificates.Shared.SelfSigned.Pfx).Ok();

        var refused = Ps.Run("""
            Connect-Socket localhost $port -Tls -Timeout 5
            $c = Connect-Socket localhost $plain.LocalEndPoint.Port -Timeout 5
            Protect-Socket $c -Timeout 5
            "$($c.State)"
            $check = Test-SocketConnection localhost $port -Tls -Timeout 5
            $check.Success; $check.ErrorId
            Test-SocketConnection localhost $port -Tls -Timeout 5 -Quiet
            """);
        Assert.Equal(
            ["CertificateInvalid,PsSockets.Commands.ConnectSocketCommand", "CertificateInvalid,PsSockets.Commands.ProtectSocketCommand"],
            refused.Errors.Select(e => e.FullyQualifiedErrorId));
        Assert.All(refused.Errors, e => Assert.Equal(ErrorCategory.SecurityError, e.CategoryInfo.Category));
        Assert.Equal(new object?[] { "Failed", false, "CertificateInvalid", false }, refused.Values);
        Assert.Empty(refused.Warnings);

        // Told to skip the check, each goes on, and still says what was wrong.
        var skipped = Ps.Run("""
            Receive-SocketData (Connect-Socket localhost $port -Tls -SkipCertificateCheck -Timeout 5) -Line -Timeout 5
            $c = Connect-Socket localhost $plain.LocalEndPoint.Port -Timeout 5
            Protect-Socket $c -SkipCertificateCheck -Timeout 5
            Receive-SocketData $c -Line -Timeout 5
            (Test-SocketConnection localhost $port -Tls -SkipCertificateCheck -Timeout 5).Success
            Get-Socket | Close-Socket; Get-SocketServer | Stop-SocketServer
            """).Ok();
        Assert.Equal(new object?[] { "hello", "hello", true }, skipped.Values);
        Assert.Equal(2, skipped.Warnings.Count);
        Assert.All(skipped.Warnings, w => Assert.Contains("was accepted despite a problem", w, StringComparison.Ordinal));
    }
}
