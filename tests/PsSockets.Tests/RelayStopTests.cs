using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Stopping a relay: its port is free at once, its open connections are cut, no descriptor stays behind;
/// a session that ends or a module that is removed takes its relays with it. Run alone (descriptor counts).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class RelayStopTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void StopFreesThePortAtOnceAndResetsTheConnectionsItCarried()
    {
        var result = Ps.Run("""
            $t = Start-SocketListener -Port 0
            $r = Start-SocketRelay 0 "127.0.0.1:$($t.LocalEndPoint.Port)"
            $port = $r.ListenEndPoint.Port
            $c = Connect-Socket 127.0.0.1 $port -Timeout 5
            $s = Wait-SocketConnection $t -Timeout 10
            Send-SocketData $c 'ping'
            Receive-SocketData $s -Count 4 -Timeout 10
            $r.ActiveConnections
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Stop-SocketRelay $r
            $watch.Elapsed.TotalSeconds -lt 1
            "$($r.State)"; $r.ActiveConnections
            $again = Start-SocketListener -Port $port             # the port is free: a new listener binds it
            "$($again.State)"
            try { Receive-SocketData $c -Timeout 10 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
            try { Receive-SocketData $s -Timeout 10 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
            @(Get-SocketRelay).Count
            Stop-SocketRelay $r                                   # twice is harmless
            """).Ok().Values;

        Assert.Equal(new object?[]
        {
            "ping", 1, true, "Stopped", 0, "Listening",
            "ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand",
            "ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand",
            0,
        }, result);
    }

    [Fact]
    public void ARelayLeavesNoDescriptorBehind()
    {
        Ps.Run("$w = Start-SocketRelay 0 127.0.0.1:9; $c = Connect-Socket 127.0.0.1 $w.ListenEndPoint.Port; Close-Socket $c; Stop-SocketRelay $w").Ok();
        int before = OpenDescriptors();
        int port;
        using (var target = PythonPeer.Listening("echo_server.py", "4", "21"))
        {
            port = Convert.ToInt32(Ps.Run($"$r = Start-SocketRelay 0 127.0.0.1:{target.Port}; $r.ListenEndPoint.Port").Ok().Single, CultureInfo.InvariantCulture);
            using (var clients = PythonPeer.Start("relay_peer.py", "many-clients", port.ToString(CultureInfo.InvariantCulture), "20", "4096"))
            {
                Assert.Equal("OK 20", clients.ReadLine(Seconds(60)));
            }
            var held = Ps.Run("""
                $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
                Send-SocketData $c 'held'
                Receive-SocketData $c -Count 4 -Timeout 10
                $r.ActiveConnections
                Stop-SocketRelay $r
                Close-Socket $c
                $r.TotalConnections
                """).Ok().Values;
            Assert.Equal(new object?[] { "held", 1, 21L }, held);
        }
        Assert.InRange(OpenDescriptors(), 0, before + 2);
    }

    [Fact]
    public void ATargetThatNeverAnswersTimesOutAndThatClientIsReset()
    {
        var result = Ps.Run("""
            $full = Start-SocketListener -Port 0 -Backlog 1              # a listener whose backlog fills and that never accepts
            $port = $full.LocalEndPoint.Port
            $fillers = for ($i = 0; $i -lt 8; $i++) {
                $f = Connect-Socket 127.0.0.1 $port -Timeout 0.3 -ErrorAction SilentlyContinue -ErrorVariable hung
                if ($hung) { break }
                $f
            }
            $r = Start-SocketRelay 0 "127.0.0.1:$port" -ConnectTimeout 0.5
            $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
            $watch = [Diagnostics.Stopwatch]::StartNew()
            try { Receive-SocketData $c -Timeout 10 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
            $watch.Elapsed.TotalSeconds
            $r.Errors[0].ErrorId; $r.Errors[0].Message; "$($r.State)"
            Stop-SocketRelay $r
            """).Ok().Values.ToList();

        Assert.Equal("ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand", result[0]);
        Assert.InRange(Convert.ToDouble(result[1], CultureInfo.InvariantCulture), 0.4, 5);
        Assert.Equal("OperationTimeout", result[2]);
        Assert.Matches(@"^Timed out after 0\.5 s connecting to 127\.0\.0\.1:\d+ for client 127\.0\.0\.1:\d+\.$", result[3]?.ToString());
        Assert.Equal("Running", result[4]);
    }

    [Fact]
    public void ClosingTheSessionStopsItsRelays()
    {
        int port;
        using (var other = new PsSession())
        {
            port = Convert.ToInt32(other.Run("(Start-SocketRelay 0 127.0.0.1:9).ListenEndPoint.Port").Ok().Single, CultureInfo.InvariantCulture);
            Assert.False(ReservedPorts.IsFree(port));
        }
        Assert.True(SpinWait.SpinUntil(() => ReservedPorts.IsFree(port), Seconds(5)), $"Port {port} is still taken after the session closed.");
    }

    [Fact]
    public void RemovingTheModuleStopsTheSessionsRelays()
    {
        using var other = new PsSession();
        var result = other.Run("""
            $r = Start-SocketRelay 0 127.0.0.1:9
            Remove-Module PsSockets
            "$($r.State)"; $r.ListenEndPoint.Port
            """).Ok().Values.ToList();

        Assert.Equal("Stopped", result[0]);
        Assert.True(ReservedPorts.IsFree(Convert.ToInt32(result[1], CultureInfo.InvariantCulture)));
    }
}
