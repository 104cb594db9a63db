using System;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Protect-Socket: STARTTLS on a connected socket, as the client or as the server.</summary>
public sealed class ProtectSocketTests(PsSession ps) : SocketTestBase(ps)
{
    private static TestCertificates Certs => TestCertificates.Shared;

    [Fact]
    public void BothSidesUpgradeAPlainConversation()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -ArgumentList $args[0] -Handler {
                param($c, $pfx)
                if ((Receive-SocketData $c -Line -Timeout 10) -eq 'STARTTLS') {
                    Send-SocketData $c "220 Go ahead`n"
                    Protect-Socket $c -Certificate $pfx -Timeout 10
                    Send-SocketData $c "secret $($c.Tls.Protocol)`n"
                }
            }
            $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 10
            Invoke-SocketRequest $c 'STARTTLS' -Line -Timeout 10
            $same = Protect-Socket $c -CertificateAuthority $args[1] -Timeout 10 -PassThru
            [object]::ReferenceEquals($same, $c); $c.Tls.ServerName
            Receive-SocketData $c -Line -Timeout 10
            """, Certs.Good.Pfx, Certs.CaPem).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(["220 Go ahead", "True", "127.0.0.1", "secret Tls13"], result);
    }

    [Fact]
    public void AHelloThatCameWithTheCommandIsNotLost()
    {
        int port = Convert.ToInt32(Ps.Run("$l = Start-SocketListener -Port 0; $l.LocalEndPoint.Port").Ok().Single);
        using var client = PythonPeer.Start("tls_peer.py", "client", "eager-starttls", port.ToString(), Certs.CaPem, "localhost");

        var result = Ps.Run("""
            $s = Wait-SocketConnection $l -Timeout 10
            Receive-SocketData $s -Line -Timeout 10
            # python's hello is already buffered behind the line here (517 bytes, in every run seen): it must reach the handshake
            Protect-Socket $s -Certificate $args[0] -Timeout 10
            while ($true) {
                try { $line = Receive-SocketData $s -Line -Timeout 10 -ErrorAction Stop } catch { break }
                Send-SocketData $s "$line`n"
            }
            Close-Socket $s
            """, Certs.Good.Pfx).Ok();

        Assert.Equal("STARTTLS", result.Values.First());
        Assert.StartsWith("TLS ", client.ReadLine(Seconds(10)));
        Assert.Equal("OK echoed 10", client.ReadLine(Seconds(10)));
    }

    [Fact]
    public void WhatIfChangesNothing()
    {
        var result = WithPair("Protect-Socket $c -WhatIf; $null -eq $c.Tls; Send-SocketData $c 'plain'; Receive-SocketData $s -Count 5 -Timeout 5").Ok();

        Assert.Equal([true, "plain"], result.Values);
    }

    [Fact]
    public void MisuseIsAClearError()
    {
        var unconnected = Ps.Run("Protect-Socket (New-Socket)");
        var twice = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -SelfSignedCertificate -Handler { param($c) Receive-SocketData $c -ToEnd -Timeout 10 }
            $t = Connect-Socket localhost $srv.LocalEndPoint.Port -Tls -SkipCertificateCheck -Timeout 10 -WarningAction SilentlyContinue
            Protect-Socket $t -SkipCertificateCheck
            """);
        var udp = Ps.Run("$u = New-Socket -Type Dgram; Connect-Socket -Socket $u 127.0.0.1 9 -Timeout 1 | Out-Null; Protect-Socket $u -SkipCertificateCheck");

        AssertError(unconnected, "NotConnected", ErrorCategory.InvalidOperation, "ProtectSocketCommand");
        AssertError(twice, "InvalidArgument", ErrorCategory.InvalidArgument, "ProtectSocketCommand");
        Assert.Contains("it speaks TLS already (Tls13", twice.OnlyError.Exception.Message);
        Assert.Contains("datagram", udp.Errors.Last().Exception.Message);
    }
}
