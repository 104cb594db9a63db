using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Every blocking cmdlet: -Timeout ends it with an OperationTimeout error, and a stop (Ctrl+C,
/// here PowerShell.Stop()) ends it within a second, leaving the socket usable and no socket behind.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class TimeoutAndStopTests(PsSession ps) : SocketTestBase(ps)
{
    // A 64 MiB file, more than a loopback connection's buffers hold.
    private const string BigFile = """
        $big = [IO.Path]::Combine([IO.Path]::GetTempPath(), 'pssockets-tests-64MiB.bin')
        if (-not [IO.File]::Exists($big) -or ([IO.FileInfo]$big).Length -ne 64MB) { [IO.File]::WriteAllBytes($big, [byte[]]::new(64MB)) }
        $out = [IO.Path]::Combine([IO.Path]::GetTempPath(), "pssockets-tests-$([guid]::NewGuid()).out")
        """;

    public static TheoryData<string, string> BlockingCalls => new()
    {
        { ConnectedPair + "\n" + BigFile + "\n$s.Socket.ReceiveBufferSize = 4096; $c.Socket.SendBufferSize = 4096\nSend-SocketData $c -Path $big", "SendSocketDataCommand" },
        { ConnectedPair + "\n" + BigFile + "\nReceive-SocketData $s -Count 10 -OutFile $out", "ReceiveSocketDataCommand" },
        { ConnectedPair + "\n" + BigFile + "\nReceive-SocketData $s -ToEnd -OutFile $out", "ReceiveSocketDataCommand" },
        { ConnectedPair + "\nReceive-SocketData $s", "ReceiveSocketDataCommand" },
        { ConnectedPair + "\nReceive-SocketData $s -Count 10", "ReceiveSocketDataCommand" },
        { ConnectedPair + "\nReceive-SocketData $s -Line", "ReceiveSocketDataCommand" },
        { ConnectedPair + "\nReceive-SocketData $s -ToEnd", "ReceiveSocketDataCommand" },
        { "$l = Start-SocketListener -Port 0\nWait-SocketConnection $l", "WaitSocketConnectionCommand" },
        { FullBacklog + "\nConnect-Socket 127.0.0.1 $port", "ConnectSocketCommand" },
        { ConnectedPair + "\n$s.Socket.ReceiveBufferSize = 4096; $c.Socket.SendBufferSize = 4096\nSend-SocketData $c ([byte[]]::new(64MB))", "SendSocketDataCommand" },
    };

    [Theory]
    [MemberData(nameof(BlockingCalls))]
    public void TimeoutEndsTheCallWithAnOperationTimeoutError(string script, string command)
    {
        var watch = Stopwatch.StartNew();
        var result = Ps.Run(script + " -Timeout 0.5");
        watch.Stop();
        var error = Assert.Single(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("OperationTimeout,", StringComparison.Ordinal)
            && e.FullyQualifiedErrorId.EndsWith(command, StringComparison.Ordinal));
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.Contains("0.5 s", error.ToString());
        Assert.InRange(watch.Elapsed, Seconds(0.4), Seconds(15));
    }

    [Theory]
    [MemberData(nameof(BlockingCalls))]
    public void StopEndsTheCallWithinASecond(string script, string command)
    {
        _ = command;
        int before = OpenDescriptors();
        var outcome = Ps.RunAndStop(ReadyBeforeLastLine(script));
        AssertStoppedPromptly(outcome);
        Ps.Run("Get-Socket | Close-Socket").Ok();
        Assert.InRange(OpenDescriptors(), 0, before + 2);
    }

    [Fact]
    public void SelectTimeoutIsAnEmptyResultNotAnError()
    {
        var watch = Stopwatch.StartNew();
        var result = WithPair("$r = Select-Socket -Read $s, $l -Timeout 0.3; $r.TimedOut; $r.Read.Count").Ok();
        Assert.Equal(new object?[] { true, 0 }, result.Values);
        Assert.InRange(watch.Elapsed, Seconds(0.25), Seconds(15));
    }

    [Fact]
    public void StopEndsASelectWithinASecond()
    {
        Ps.Run(ConnectedPair).Ok();
        var outcome = Ps.RunAndStop("$ready.Set(); Select-Socket -Read $s, $l");
        AssertStoppedPromptly(outcome);
    }

    [Fact]
    public void SocketDefaultTimeoutAppliesWhenTheCallGivesNone()
    {
        var result = WithPair("""
            $s.Timeout = 0.3
            Receive-SocketData $s
            Receive-SocketData $s -Timeout 0.1
            """);
        Assert.Equal(2, result.Errors.Count);
        Assert.Contains("0.3 s", result.Errors[0].ToString());
        Assert.Contains("0.1 s", result.Errors[1].ToString());
    }

    [Fact]
    public void AfterAStoppedReceiveTheSocketStillWorksAndNothingIsLost()
    {
        Ps.Run(ConnectedPair + "\nSend-SocketData $c 'ab'").Ok();
        var outcome = Ps.RunAndStop("$ready.Set(); Receive-SocketData $s -Count 5");
        Assert.Equal(PSInvocationState.Stopped, outcome.State);
        var result = Ps.Run("Send-SocketData $c 'cde'; Receive-SocketData $s -Count 5 -Timeout 5").Ok();
        Assert.Equal("abcde", result.Single);
    }

    [Fact]
    public void AfterAStoppedAcceptTheListenerStillAccepts()
    {
        Ps.Run("$l = Start-SocketListener -Port 0").Ok();
        var outcome = Ps.RunAndStop("$ready.Set(); Wait-SocketConnection $l");
        Assert.Equal(PSInvocationState.Stopped, outcome.State);
        var result = Ps.Run("$c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port; (Wait-SocketConnection $l -Timeout 5).State").Ok();
        Assert.Equal("Connected", result.Single!.ToString());
    }

    [Fact]
    public void ATimedOutSendSaysHowMuchWentOut()
    {
        var result = WithPair("""
            $s.Socket.ReceiveBufferSize = 4096; $c.Socket.SendBufferSize = 4096
            Send-SocketData $c ([byte[]]::new(64MB)) -Timeout 0.5
            """);
        var said = System.Text.RegularExpressions.Regex.Match(result.OnlyError.ToString(), @"By then the first (\d+) of 67108864 bytes had been sent");
        Assert.True(said.Success, result.OnlyError.ToString());
        long sent = long.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // Exactly that many went: the peer reads them all, and not one byte more is on its way.
        var peer = Ps.Run("$c.BytesSent; (Receive-SocketData $s -Count $args[0] -AsByteArray -Timeout 5).Length; $s.Socket.Available", sent).Ok();
        Assert.Equal([sent, sent, 0L], peer.Output.Select(o => Convert.ToInt64(o.BaseObject, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void FailedConnectsLeakNoDescriptor()
    {
        Ps.Run("$dead = Start-SocketListener -Port 0; $deadPort = $dead.LocalEndPoint.Port; Close-Socket $dead").Ok();
        Ps.Run("Connect-Socket 127.0.0.1 $deadPort -ErrorAction SilentlyContinue").Ok();
        int before = OpenDescriptors();
        var result = Ps.Run("1..50 | ForEach-Object { Connect-Socket 127.0.0.1 $deadPort -ErrorAction SilentlyContinue }; $Error.Count");
        Assert.True((int)result.Single! >= 50);
        Assert.InRange(OpenDescriptors(), 0, before + 2);
        Assert.Empty(Ps.Run("Get-Socket").Ok().Output);
    }

    [Fact]
    public void TimedOutConnectsLeakNoDescriptor()
    {
        Ps.Run(FullBacklog).Ok();
        int before = OpenDescriptors();
        var result = Ps.Run("""
            $sockets = (Get-Socket).Count
            $timeouts = 0
            foreach ($i in 1..5) {
                Connect-Socket 127.0.0.1 $port -Timeout 0.1 -ErrorAction SilentlyContinue -ErrorVariable failed
                if ($failed[0].FullyQualifiedErrorId -like 'OperationTimeout,*') { $timeouts++ }
            }
            $timeouts; (Get-Socket).Count -eq $sockets
            """).Ok();
        Assert.Equal(new object?[] { 5, true }, result.Values);
        Assert.InRange(OpenDescriptors(), 0, before + 2);
        Ps.Run("Get-Socket | Close-Socket").Ok();
    }

    /// <summary>The scene's setup runs first, then $ready.Set() just before the blocking last line.</summary>
    private static string ReadyBeforeLastLine(string script)
    {
        int cut = script.LastIndexOf('\n');
        return script[..cut] + "\n$ready.Set()" + script[cut..];
    }
}
