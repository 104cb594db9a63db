using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace PsSockets.Tests;

/// <summary>
/// A thousand stopped calls (Ctrl+C, here PowerShell.Stop(), each while the cmdlet sleeps in its wait: a
/// receive, an accept, a connect to a full backlog, a select, a send into a full buffer; 200 of each) and a
/// thousand timed-out ones leave the process's descriptors, threads and managed memory where they were, and
/// every socket usable as before: a receive stopped with bytes in hand keeps them, a send stopped or timed
/// out sends nothing twice, the listener still accepts.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class StopAndTimeoutLeakTests : SocketTestBase
{
    private const int Times = 200;
    private const int WarmUp = 20;
    private const int DescriptorSlack = 2;
    private const int ThreadSlack = 4;
    private const long ManagedSlack = 1024 * 1024;

    // A pair whose client's send buffer is full: the peer reads nothing, so a send waits for room that never comes.
    private const string FullSendBuffer = """
        $s.Socket.ReceiveBufferSize = 4096; $c.Socket.SendBufferSize = 4096
        Send-SocketData $c ([byte[]]::new(4MB)) -Timeout 0.5 -ErrorAction SilentlyContinue
        $Error.Clear()
        """;

    private readonly ITestOutputHelper _log;
    private readonly ThreadProbe _probe = new();

    public StopAndTimeoutLeakTests(PsSession ps, ITestOutputHelper log)
        : base(ps)
    {
        _log = log;
        Ps.Set("probe", _probe);
    }

    [Fact]
    public void StoppedAndTimedOutReceivesKeepEveryByteAndLeaveNothingBehind()
    {
        Ps.Run(ConnectedPair + "\n$sent = [Text.StringBuilder]::new()").Ok();
        // Each call first gets one more byte, so it stops (or times out) holding all the bytes sent so far.
        const string oneMoreByte = "$b = [string][char](65 + $sent.Length % 26); $null = $sent.Append($b); Send-SocketData $c $b";

        var (before, after) = Measure(
            () => Stop(WarmUp, oneMoreByte, "Receive-SocketData $s -Count 100000", ThreadProbe.Polling),
            () =>
            {
                Stop(Times, oneMoreByte, "Receive-SocketData $s -Count 100000", ThreadProbe.Polling);
                TimeOut($"for ($i = 0; $i -lt {Times}; $i++) {{ {oneMoreByte}; Receive-SocketData $s -Count 100000 -Timeout 0.005 -ErrorAction SilentlyContinue -ErrorVariable +failed }}");
            });

        // Not one byte lost, none twice: the next receive gets them all in order; and both directions still work.
        var result = Ps.Run("""
            $expected = $sent.ToString() + 'end'
            Send-SocketData $c 'end'
            (Receive-SocketData $s -Count $expected.Length -Timeout 5) -eq $expected
            $s.Socket.Available; $s.BytesBuffered
            Send-SocketData $s 'back'; Receive-SocketData $c -Count 4 -Timeout 5
            """).Ok();
        Assert.Equal(new object?[] { true, 0, 0, "back" }, result.Values);
        Report("receive", before, after);
    }

    [Fact]
    public void StoppedAndTimedOutAcceptsLeaveTheListenerAcceptingAndNothingBehind()
    {
        Ps.Run("$l = Start-SocketListener -Port 0").Ok();

        var (before, after) = Measure(
            () => Stop(WarmUp, "", "Wait-SocketConnection $l", ThreadProbe.ManagedWait),
            () =>
            {
                Stop(Times, "", "Wait-SocketConnection $l", ThreadProbe.ManagedWait);
                TimeOut($"for ($i = 0; $i -lt {Times}; $i++) {{ Wait-SocketConnection $l -Timeout 0.005 -ErrorAction SilentlyContinue -ErrorVariable +failed }}");
            });

        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection $l -Timeout 5
            Send-SocketData $c 'hi'; Receive-SocketData $s -Count 2 -Timeout 5
            (Get-Socket).Count
            """).Ok();
        Assert.Equal(new object?[] { "hi", 3 }, result.Values);
        Report("accept", before, after);
    }

    [Fact]
    public void StoppedAndTimedOutConnectsToAFullBacklogLeaveNothingBehind()
    {
        Ps.Run(FullBacklog + "\n$held = (Get-Socket).Count").Ok();

        var (before, after) = Measure(
            () => Stop(WarmUp, "", "Connect-Socket 127.0.0.1 $port", ThreadProbe.Polling),
            () =>
            {
                Stop(Times, "", "Connect-Socket 127.0.0.1 $port", ThreadProbe.Polling);
                TimeOut($"for ($i = 0; $i -lt {Times}; $i++) {{ Connect-Socket 127.0.0.1 $port -Timeout 0.005 -ErrorAction SilentlyContinue -ErrorVariable +failed }}");
            });

        // No half-made socket joined Get-Socket, and a connect elsewhere still works.
        var result = Ps.Run("""
            (Get-Socket).Count -eq $held
            $l = Start-SocketListener -Port 0
            (Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 5).State
            """).Ok();
        Assert.Equal(new object?[] { true, "Connected" }, result.Values.Select(v => v is Enum ? v.ToString() : v));
        Report("connect", before, after);
    }

    [Fact]
    public void StoppedAndTimedOutSelectsLeaveNothingBehind()
    {
        Ps.Run(ConnectedPair).Ok();

        var (before, after) = Measure(
            () => Stop(WarmUp, "", "Select-Socket -Read $s, $l", ThreadProbe.Polling),
            () =>
            {
                Stop(Times, "", "Select-Socket -Read $s, $l", ThreadProbe.Polling);
                // A select that times out is an empty result, not an error.
                Assert.Equal(Times, Ps.Run($"@(for ($i = 0; $i -lt {Times}; $i++) {{ Select-Socket -Read $s, $l -Timeout 0.005 }}).Where({{ $_.TimedOut }}).Count").Ok().Single);
            });

        var result = Ps.Run("Send-SocketData $c 'x'; $r = Select-Socket -Read $s, $l -Timeout 5; $r.Read.Count; $r.Read[0] -eq $s").Ok();
        Assert.Equal(new object?[] { 1, true }, result.Values);
        Report("select", before, after);
    }

    [Fact]
    public void StoppedAndTimedOutSendsIntoAFullBufferSendNothingTwiceAndLeaveNothingBehind()
    {
        Ps.Run(ConnectedPair + "\n" + FullSendBuffer).Ok();
        var sending = "Send-SocketData $c ([byte[]]::new(1000))";

        var (before, after) = Measure(
            () => Stop(WarmUp, "", sending, ThreadProbe.Polling),
            () =>
            {
                Stop(Times, "", sending, ThreadProbe.Polling);
                TimeOut($"for ($i = 0; $i -lt {Times}; $i++) {{ {sending} -Timeout 0.005 -ErrorAction SilentlyContinue -ErrorVariable +failed }}");
            });

        // What BytesSent counts is exactly what arrives: no stopped or timed-out send went out twice, or half-counted.
        var result = Ps.Run("""
            $sent = $c.BytesSent
            (Receive-SocketData $s -Count $sent -AsByteArray -Timeout 30).Length -eq $sent
            $s.Socket.Available
            Send-SocketData $c 'after'; Receive-SocketData $s -Count 5 -Timeout 5
            """).Ok();
        Assert.Equal(new object?[] { true, 0, "after" }, result.Values);
        Report("send", before, after);
    }

    /// <summary>
    /// Runs <paramref name="call"/> <paramref name="times"/> times, each stopped as Ctrl+C stops it once its thread
    /// sleeps in one of <paramref name="syscalls"/>, i.e. inside the cmdlet's wait; every stop takes effect within a second.
    /// </summary>
    private void Stop(int times, string setup, string call, int[] syscalls)
    {
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < times; i++)
        {
            var outcome = Ps.RunAndStop($"{setup}\n$probe.Mark(); $ready.Set()\n{call}", stopWhen: () => _probe.SleepsIn(syscalls));
            AssertStoppedPromptly(outcome);
            slowest = outcome.StopTook > slowest ? outcome.StopTook : slowest;
        }
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{times} stops of '{call}': the slowest took {slowest.TotalMilliseconds:0.0} ms"));
        Assert.Equal("0", StopSignalCount());
    }

    /// <summary>
    /// How many stops the process's stop signal (an eventfd that wakes waiting polls) holds: each stop raises it once and
    /// its wait lowers it once, so it is down after every stop; one left up would wake every later wait for nothing.
    /// </summary>
    private static string StopSignalCount()
    {
        var core = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "PsSockets.Core");
        var field = core.GetType("PsSockets.StopSignal", throwOnError: true)!.GetField("s_descriptor", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        int descriptor = (int)field.GetValue(null)!;
        return System.IO.File.ReadLines($"/proc/self/fdinfo/{descriptor}").Single(l => l.StartsWith("eventfd-count:", StringComparison.Ordinal))["eventfd-count:".Length..].Trim();
    }

    /// <summary>Runs a loop of calls that each time out, collecting their errors in $failed: each must be OperationTimeout.</summary>
    private void TimeOut(string loop)
    {
        var result = Ps.Run("$failed = @()\n" + loop + "\n$failed.Count; @($failed.Where({ $_.FullyQualifiedErrorId -notlike 'OperationTimeout,*' })).Count; $Error.Clear()");
        Assert.Null(result.Exception);
        Assert.Equal(new object?[] { Times, 0 }, result.Output.Select(o => o.BaseObject));
    }

    private static (Footprint Before, Footprint After) Measure(Action warmUp, Action calls)
    {
        warmUp();
        var before = Footprint.Measure();
        calls();
        var after = Footprint.Measure();
        after.AssertWithin(before, DescriptorSlack, ThreadSlack, ManagedSlack);
        return (before, after);
    }

    private void Report(string what, Footprint before, Footprint after) =>
        _log.WriteLine($"{Times} stopped and {Times} timed-out {what} calls: before {before}; after {after}");
}
