using System;
using System.Diagnostics;
using System.Globalization;
using PsSockets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace PsSockets.Tests;

/// <summary>
/// Ten thousand connect/send/receive/close cycles through the cmdlets leave the process's descriptors,
/// threads and managed memory where they were, and Get-Socket empty: as clients of a python3 echo server
/// (which counts every close it saw as an end of stream), and as both ends of a PsSockets listener; and a
/// handler server serving 2,000 clients one after another (10,000 with PSSOCKETS_HEAVY_TESTS=1) does too.
/// Each measures after a warm-up of the same cycles, so what the first cycles set up once (JIT, caches,
/// thread pool threads) is not counted as a leak.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class LeakTests : SocketTestBase
{
    private static readonly bool Heavy = Environment.GetEnvironmentVariable("PSSOCKETS_HEAVY_TESTS") == "1";
    private const int Cycles = 10_000;

    // Each client of a handler server costs a runspace reset (about 2 ms): 2,000 by default, 10,000 heavy.
    private static readonly int HandlerClients = Heavy ? 10_000 : 2_000;
    private const int WarmUp = 300;

    // A leak of one descriptor, thread or socket object per cycle would show as thousands; these allow for
    // the thread pool's own comings and goings and for the engine's caches settling.
    private const int DescriptorSlack = 2;
    private const int ThreadSlack = 4;
    private const long ManagedSlack = 2 * 1024 * 1024;

    private readonly ITestOutputHelper _log;

    public LeakTests(PsSession ps, ITestOutputHelper log)
        : base(ps)
    {
        _log = log;
    }

    [Fact]
    public void TenThousandClientCyclesAgainstAPythonEchoServerLeaveNothingBehind()
    {
        using var peer = PythonPeer.Listening("counting_echo_server.py");
        const string cycles = """
            $port = $args[0]
            for ($i = 0; $i -lt $args[1]; $i++) {
                $c = Connect-Socket 127.0.0.1 $port -Timeout 10
                $m = "cycle $i"
                Send-SocketData $c $m
                $echo = Receive-SocketData $c -Count $m.Length -Timeout 10
                if ($echo -ne $m) { throw "cycle ${i}: sent '$m', the echo was '$echo'" }
                Close-Socket $c
            }
            """;

        var (before, after, took) = Measure(() => Ps.Run(cycles, peer.Port, WarmUp).Ok(), () => Ps.Run(cycles, peer.Port, Cycles).Ok());

        Assert.Equal(0, Ps.Run("(Get-Socket).Count").Ok().Single);
        peer.WriteLine("IDLE 20");
        Assert.Equal($"STATS accepted={WarmUp + Cycles} closed={WarmUp + Cycles} open=0 reset=0", peer.ReadLine(Seconds(30)));
        Report(Cycles, "client cycles against python3", before, after, took);
        after.AssertWithin(before, DescriptorSlack, ThreadSlack, ManagedSlack);
    }

    [Fact]
    public void TenThousandConnectionsWithBothEndsInPsSocketsLeaveNothingBehind()
    {
        Ps.Run("$l = Start-SocketListener -Port 0").Ok();
        const string cycles = """
            $port = $l.LocalEndPoint.Port
            for ($i = 0; $i -lt $args[0]; $i++) {
                $c = Connect-Socket 127.0.0.1 $port -Timeout 10
                $s = Wait-SocketConnection $l -Timeout 10
                Send-SocketData $c "ping $i"
                $ping = Receive-SocketData $s -Count "ping $i".Length -Timeout 10
                Send-SocketData $s "pong $i"
                $pong = Receive-SocketData $c -Count "pong $i".Length -Timeout 10
                Close-Socket $c
                $rest = Receive-SocketData $s -ToEnd -Timeout 10         # the client's close arrives as end of stream
                if ($ping -ne "ping $i" -or $pong -ne "pong $i" -or $rest -ne '' -or -not $s.PeerClosed) { throw "cycle ${i}: '$ping' '$pong' '$rest'" }
                Close-Socket $s
            }
            """;

        var (before, after, took) = Measure(() => Ps.Run(cycles, WarmUp).Ok(), () => Ps.Run(cycles, Cycles).Ok());

        Assert.Equal(1, Ps.Run("(Get-Socket).Count").Ok().Single); // the listener
        Report(Cycles, "connect + accept cycles", before, after, took);
        after.AssertWithin(before, DescriptorSlack, ThreadSlack, ManagedSlack);
        Ps.Run("Close-Socket $l").Ok();
    }

    [Fact]
    public void AHandlerServerServingThousandsOfClientsLeavesNothingBehind()
    {
        Ps.Run("""
            $srv = Start-SocketListener -Port 0 -ThrottleLimit 4 -Handler {
                param($c)
                $line = Receive-SocketData $c -Line -Timeout 10
                Send-SocketData $c -Line "echo $line"
            }
            """).Ok();
        const string cycles = """
            $port = $srv.LocalEndPoint.Port
            for ($i = 0; $i -lt $args[0]; $i++) {
                $c = Connect-Socket 127.0.0.1 $port -Timeout 10
                Send-SocketData $c -Line "hello $i"
                $echo = Receive-SocketData $c -ToEnd -Timeout 10          # the server closes the client once its handler ends
                if ($echo -ne "echo hello $i`n") { throw "client ${i}: '$echo'" }
                Close-Socket $c
            }
            """;

        var (before, after, took) = Measure(() => Ps.Run(cycles, WarmUp).Ok(), () => Ps.Run(cycles, HandlerClients).Ok());

        var counts = Ps.Run("$srv.Accepted; $srv.Completed; $srv.Failed; $srv.Active; $srv.Errors.Count; (Get-Socket).Count").Ok();
        Assert.Equal(new object?[] { (long)(WarmUp + HandlerClients), (long)(WarmUp + HandlerClients), 0L, 0, 0, 0 }, counts.Values);
        Report(HandlerClients, "handler server clients", before, after, took);
        after.AssertWithin(before, DescriptorSlack, ThreadSlack, ManagedSlack);
        Ps.Run("Stop-SocketServer $srv").Ok();
    }

    /// <summary>Warms up, measures, runs the cycles, measures again.</summary>
    private static (Footprint Before, Footprint After, TimeSpan Took) Measure(Action warmUp, Action cycles)
    {
        warmUp();
        var before = Footprint.Measure();
        var watch = Stopwatch.StartNew();
        cycles();
        watch.Stop();
        return (before, Footprint.Measure(), watch.Elapsed);
    }

    private void Report(int count, string what, Footprint before, Footprint after, TimeSpan took) =>
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} {what} in {took.TotalSeconds:0.0} s: before {before}; after {after}"));
}
