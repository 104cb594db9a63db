using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Invoke-SocketReplay against python3's replay_server.py, a line protocol server that can change exactly one
/// answer of a connection: a conversation is recorded once (its first client), then replayed against the
/// server's later connections, each in its own mode.
/// </summary>
public sealed class SocketReplayTests(PsSession ps) : SocketTestBase(ps)
{
    /// <summary>New-Recording $port: the trace of one client's conversation (five commands, then the server's close), as Get-SocketTrace entries.</summary>
    private const string Recording = """
        function New-Recording($port, [string[]] $commands = @('SET a 1', 'GET a', 'INCR a', 'GET b', 'QUIT')) {
            $c = Connect-Socket 127.0.0.1 $port -Timeout 5 -Trace
            foreach ($command in $commands) {
                Send-SocketData $c -Line $command
                $null = Receive-SocketData $c -Line -Timeout 5
            }
            if ($commands[-1] -eq 'QUIT') { $null = Receive-SocketData $c -ToEnd -Timeout 5 }
            Close-Socket $c
            Get-SocketTrace $c
        }
        """;

    /// <summary>A SocketReplayResult read through its properties (the tests do not reference the module's assemblies).</summary>
    private sealed record Replayed(int Message, string Outcome, string Direction, int? Offset, byte[] Expected, byte[] Actual, string ExpectedText, string ActualText, string Detail, bool EndOfStream, bool IsEqual)
    {
        public static Replayed Of(PSObject o)
        {
            Assert.Equal("PsSockets.SocketReplayResult", o.BaseObject.GetType().FullName);
            object? P(string name) => o.Properties[name].Value;
            return new((int)P("Message")!, P("Outcome")!.ToString()!, P("Direction")!.ToString()!, (int?)P("Offset"), (byte[])P("Expected")!, (byte[])P("Actual")!,
                (string)P("ExpectedText")!, (string)P("ActualText")!, (string)P("Detail")!, (bool)P("EndOfStream")!, (bool)P("IsEqual")!);
        }
    }

    [Fact]
    public void AServerThatChangedOneAnswerShowsExactlyThatDifferenceAndAnUnchangedServerNone()
    {
        using var server = PythonPeer.Listening("replay_server.py", "exact", "exact", "change:3");

        var result = Ps.Run(Recording + """
            $t = New-Recording $args[0]
            $same = @(Invoke-SocketReplay -Trace $t -ComputerName 127.0.0.1 -Port $args[0])
            $changed = @($t | Invoke-SocketReplay 127.0.0.1 $args[0] -Verbose)
            $same.Count
            $changed
            @(Get-Socket).Count
            """, server.Port).Ok();

        Assert.Equal(0, result.Output[0].BaseObject);
        var difference = Replayed.Of(result.Output[1]);
        Assert.Equal(3, result.Output.Count);
        Assert.Equal(0, result.Output[2].BaseObject);
        // Messages: 1 SET > 2 OK < 3 GET > 4 VALUE 1 < 5 INCR > 6 VALUE 2 <: the third answer is message 6.
        Assert.Equal(6, difference.Message);
        Assert.Equal("Different", difference.Outcome);
        Assert.Equal("In", difference.Direction);
        Assert.Equal(6, difference.Offset);
        Assert.Equal("VALUE 2\n"u8.ToArray(), difference.Expected);
        Assert.Equal("VALUE 3\n"u8.ToArray(), difference.Actual);
        Assert.Equal("VALUE 2\\n", difference.ExpectedText);
        Assert.Equal("VALUE 3\\n", difference.ActualText);
        Assert.Contains("Byte 6 differs: expected 0x32 '2', got 0x33 '3'", difference.Detail, StringComparison.Ordinal);
        // The replay went on after the difference: every later message was replayed, down to the server's close.
        Assert.Equal(["socket(", "connect(", "Replaying the client side of #", "send(#"],
            result.Verbose.Take(4).Zip(["socket(", "connect(", "Replaying the client side of #", "send(#"], (line, start) => line.StartsWith(start, StringComparison.Ordinal) ? start : line));
        Assert.Contains(result.Verbose, line => line.EndsWith(", 8 bytes) -> 8", StringComparison.Ordinal) && line.StartsWith("send(#", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, line => line.EndsWith(", 8) -> 8", StringComparison.Ordinal) && line.StartsWith("recv(#", StringComparison.Ordinal));
        Assert.EndsWith("65536) -> 0 (peer closed)", result.Verbose[^2], StringComparison.Ordinal);
        Assert.StartsWith("close(#", result.Verbose[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(result.Verbose, line => line.Contains("VALUE", StringComparison.Ordinal)); // sizes, never the bytes
        for (int client = 1; client <= 3; client++)
        {
            Assert.Equal($"DONE {client}", server.ReadLine(Seconds(10)));
        }
    }

    [Fact]
    public void IncludeEqualReportsEveryMessageInOrderAndASplitAnswerStillCompares()
    {
        using var server = PythonPeer.Listening("replay_server.py", "exact", "split");

        var results = Ps.Run(Recording + """
            $t = New-Recording $args[0]
            Invoke-SocketReplay -Trace $t 127.0.0.1 $args[0] -IncludeEqual
            """, server.Port).Ok().Output.Select(Replayed.Of).ToList();

        Assert.Equal(Enumerable.Range(1, 11), results.Select(r => r.Message));
        Assert.All(results.Where(r => r.Message % 2 == 1 && r.Message < 11), r => Assert.Equal("Sent", r.Outcome));
        Assert.All(results.Where(r => r.Message % 2 == 0), r => Assert.Equal("Equal", r.Outcome));
        Assert.Equal("SET a 1\n"u8.ToArray(), results[0].Actual);
        Assert.Equal("BYE\n"u8.ToArray(), results[9].Actual);
        Assert.True(results[10].EndOfStream);
        Assert.Equal("Equal", results[10].Outcome);
        Assert.All(results, r => Assert.True(r.IsEqual));
    }

    [Fact]
    public void AnAnswerCutShortByTheServerClosingStopsTheReplayThere()
    {
        using var server = PythonPeer.Listening("replay_server.py", "exact", "short:4");

        var result = Ps.Run(Recording + """
            $t = New-Recording $args[0]
            Invoke-SocketReplay -Trace $t 127.0.0.1 $args[0]
            @(Get-Socket).Count
            """, server.Port).Ok();

        var difference = Replayed.Of(result.Output[0]);
        Assert.Equal(2, result.Output.Count);
        Assert.Equal(8, difference.Message);
        Assert.Equal("EndedEarly", difference.Outcome);
        Assert.Equal(2, difference.Offset);
        Assert.Equal("NONE\n"u8.ToArray(), difference.Expected);
        Assert.Equal("NO"u8.ToArray(), difference.Actual);
        Assert.Contains("after 2 of the 5 bytes recorded", difference.Detail, StringComparison.Ordinal);
        Assert.Contains("messages 9 to 11 were not replayed", difference.Detail, StringComparison.Ordinal);
        Assert.Equal(0, result.Output[1].BaseObject);
    }

    [Fact]
    public void ALongerAnswerIsExtraAtItsMessageAndTheReplayGoesOnInStep()
    {
        using var server = PythonPeer.Listening("replay_server.py", "exact", "long:2");

        var results = Ps.Run(Recording + """
            $t = New-Recording $args[0]
            Invoke-SocketReplay -Trace $t 127.0.0.1 $args[0]
            """, server.Port).Ok().Output.Select(Replayed.Of).ToList();

        var extra = Assert.Single(results);
        Assert.Equal(4, extra.Message);
        Assert.Equal("Extra", extra.Outcome);
        Assert.Equal(8, extra.Offset);
        Assert.Equal("VALUE 1\\nEXTRA\\n", extra.ActualText);
    }

    [Theory]
    [InlineData("noclose", 11, "NoEnd", "it did not close within 0.5 s")]
    [InlineData("silent:3", 6, "Missing", "Nothing came within 0.5 s: 8 bytes recorded. The replay stopped here: messages 7 to 11 were not replayed.")]
    public void AnAnswerOrAnEndThatNeverComesEndsTheReplayWithinTimeout(string mode, int message, string outcome, string detail)
    {
        using var server = PythonPeer.Listening("replay_server.py", "exact", mode);
        Ps.Run(Recording + "$t = New-Recording $args[0]", server.Port).Ok();

        var watch = Stopwatch.StartNew();
        var result = Ps.Run("Invoke-SocketReplay -Trace $t 127.0.0.1 $args[0] -Timeout 0.5", server.Port).Ok();
        watch.Stop();

        var difference = Replayed.Of(result.Output.Single());
        Assert.Equal(message, difference.Message);
        Assert.Equal(outcome, difference.Outcome);
        Assert.Contains(detail, difference.Detail, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, Seconds(0.5), Seconds(3));
        Assert.Equal("DONE 1", server.ReadLine(Seconds(10)));
        if (mode.StartsWith("silent", StringComparison.Ordinal))
        {
            Assert.Equal("SILENT", server.ReadLine(Seconds(10)));
        }
        Assert.Equal("DONE 2", server.ReadLine(Seconds(10))); // the replay closed its connection
    }

    [Fact]
    public void ATraceRecordedOnTheServerSideReplaysItsClientAndIsToldApartByItsAccept()
    {
        using var server = PythonPeer.Listening("replay_server.py", "exact", "exact", "change:2");

        // The conversation is recorded on an accepted socket: the listener's trace gives it one, with its Accept.
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0 -Trace
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection -Listener $l -Timeout 5
            foreach ($turn in @(('SET a 1', 'OK'), ('GET a', 'VALUE 1'), ('QUIT', 'BYE'))) {
                Send-SocketData $c -Line $turn[0]
                $null = Receive-SocketData $s -Line -Timeout 5
                Send-SocketData $s -Line $turn[1]
                $null = Receive-SocketData $c -Line -Timeout 5
            }
            Close-Socket $s
            $t = Get-SocketTrace $s, $l
            Get-Socket | Close-Socket
            @(Invoke-SocketReplay -Trace $t 127.0.0.1 $args[0] -Verbose).Count
            $sent = Invoke-SocketReplay -Trace $t 127.0.0.1 $args[0] -RecordedOn Server -IncludeEqual | Where-Object Direction -eq Out
            $sent.ActualText
            Invoke-SocketReplay -Trace $t 127.0.0.1 $args[0]
            """, server.Port).Ok();

        Assert.Equal(0, result.Output[0].BaseObject);
        Assert.Contains(result.Verbose, line => line.Contains("recorded on the server side", StringComparison.Ordinal));
        Assert.Equal(new object[] { "SET a 1\\n", "GET a\\n", "QUIT\\n" }, result.Output.Skip(1).Take(3).Select(o => o.BaseObject));
        var difference = Replayed.Of(result.Output[4]);
        Assert.Equal(5, result.Output.Count);
        Assert.Equal((4, "Different", (int?)6), (difference.Message, difference.Outcome, difference.Offset));
        Assert.Equal("VALUE 1\\n", difference.ExpectedText);
        Assert.Equal("VALUE 2\\n", difference.ActualText);
    }

    [Fact]
    public void TheSocketsOfATraceArePickedByTracedSocketAndAnAmbiguousTraceNamesThem()
    {
        using var server = PythonPeer.Listening("replay_server.py", "exact", "exact", "change:1");

        var result = Ps.Run(Recording + """
            $a = New-Recording $args[0] @('SET a 1', 'GET a')
            $b = New-Recording $args[0] @('GET zz', 'QUIT')
            $both = @($a) + @($b)
            try { Invoke-SocketReplay -Trace $both 127.0.0.1 $args[0] } catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category; $_.Exception.Message }
            try { Invoke-SocketReplay -Trace $both 127.0.0.1 $args[0] -TracedSocket 99999 } catch { $_.FullyQualifiedErrorId }
            $d = Invoke-SocketReplay -Trace $both 127.0.0.1 $args[0] -TracedSocket $b[0].Socket
            $d.Message; $d.ExpectedText; $d.ActualText
            $a[0].Socket; $b[0].Socket
            """, server.Port).Ok().Values.ToList();

        int a = (int)result[^2]!, b = (int)result[^1]!;
        Assert.Equal("AmbiguousTrace,PsSockets.Commands.InvokeSocketReplayCommand", result[0]);
        Assert.Equal(ErrorCategory.InvalidArgument, result[1]);
        Assert.Contains($"the conversations of 2 sockets: #{a} (", (string)result[2]!, StringComparison.Ordinal);
        Assert.Contains($"#{b} (127.0.0.1:", (string)result[2]!, StringComparison.Ordinal);
        Assert.Contains("Pick one with -TracedSocket", (string)result[2]!, StringComparison.Ordinal);
        Assert.Equal("NothingToReplay,PsSockets.Commands.InvokeSocketReplayCommand", result[3]);
        Assert.Equal(new object?[] { 2, "NONE\\n", "NONF\\n" }, result.Skip(4).Take(3));
    }

    [Theory]
    [InlineData("Invoke-SocketReplay -Trace @() 127.0.0.1 $port", "EmptyTrace", ErrorCategory.InvalidData, "The trace has no entries")]
    [InlineData("@() | Invoke-SocketReplay -ComputerName 127.0.0.1 -Port $port", "EmptyTrace", ErrorCategory.InvalidData, "The trace has no entries")]
    [InlineData("$t = $l.StartTrace(); $c = Connect-Socket 127.0.0.1 $port; $null = Wait-SocketConnection $l -Timeout 5; Invoke-SocketReplay -Trace $t 127.0.0.1 $port", "NothingToReplay", ErrorCategory.InvalidData, "no socket in it sent or received bytes: #")]
    [InlineData("$e = [pscustomobject]@{ Socket = 4; Sequence = 1; Event = 'Send'; Length = 10; Data = [byte[]](1, 2, 3) }; Invoke-SocketReplay -Trace $e 127.0.0.1 $port", "TraceTruncated", ErrorCategory.InvalidData, "the first entry 1 (Send of 10 bytes: it kept 3 of its 10 bytes)")]
    [InlineData("Invoke-SocketReplay -Trace ([pscustomobject]@{ Name = 'x' }) 127.0.0.1 $port", "NotATraceEntry", ErrorCategory.InvalidArgument, "it has no Event")]
    [InlineData("Invoke-SocketReplay -Trace ([pscustomobject]@{ Event = 'Send'; Data = 'not base64!' }) 127.0.0.1 $port", "NotATraceEntry", ErrorCategory.InvalidArgument, "its bytes are in neither Data")]
    public void ATraceThatCannotBeReplayedIsATerminatingErrorBeforeAnythingIsSent(string script, string errorId, ErrorCategory category, string message)
    {
        var result = Ps.Run("$l = Start-SocketListener -Port 0; $port = $l.LocalEndPoint.Port\n"
            + "try { " + script + " } catch { $_; 'caught' }\n"
            + "(Select-Socket -Read $l -Timeout 0).Read.Count").Ok();

        var error = Assert.IsType<ErrorRecord>(result.Output[0].BaseObject);
        Assert.Equal($"{errorId},PsSockets.Commands.InvokeSocketReplayCommand", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.NotNull(error.TargetObject);
        Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("caught", result.Output[1].BaseObject); // terminating: `... | Should -BeNullOrEmpty` cannot pass on it
        Assert.Equal(0, result.Output[2].BaseObject); // no replay connected to the listener
    }

    [Fact]
    public void ATraceWhoseStartWasDroppedOrWhoseBytesWentBySendfileIsRefused()
    {
        using var file = new TemporaryFile(3000);

        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection -Listener $l -Timeout 5
            $null = $c.StartTrace(1000)
            1..10 | ForEach-Object { Send-SocketData $c -Line "message $_" }
            try { Invoke-SocketReplay -Trace $c.Trace 127.0.0.1 $l.LocalEndPoint.Port } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }
            $null = $c.StartTrace(100000)
            Send-SocketData $c -Path $args[0]
            try { Invoke-SocketReplay -Trace $c.Trace 127.0.0.1 $l.LocalEndPoint.Port } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }
            """, file.Path).Ok().Values.Cast<string>().ToList();

        Assert.Equal("TraceStartDropped,PsSockets.Commands.InvokeSocketReplayCommand", result[0]);
        Assert.Matches(@"starts at entry \d+: its first \d+ entries are not there \(dropped to keep the trace within its budget", result[1]);
        Assert.Equal("TraceTruncated,PsSockets.Commands.InvokeSocketReplayCommand", result[2]);
        Assert.Contains("sendfile", result[3], StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedConnectionIsConnectSocketsTerminatingError()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0; $port = $l.LocalEndPoint.Port; Close-Socket $l
            $e = [pscustomobject]@{ Event = 'Send'; Text = 'hi\n' }
            try { Invoke-SocketReplay -Trace $e 127.0.0.1 $port -Timeout 5 } catch { $_ }
            """).Ok();

        var error = Assert.IsType<ErrorRecord>(result.Single);
        Assert.Equal("ConnectionRefused,PsSockets.Commands.InvokeSocketReplayCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
    }

    [Fact]
    public void ReplaysOnAConnectedSocketAndLeavesItOpen()
    {
        using var server = PythonPeer.Listening("replay_server.py", "exact", "exact");

        var result = Ps.Run(Recording + """
            $t = New-Recording $args[0] @('SET a 1', 'GET a')
            $mine = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            @(Invoke-SocketReplay -Trace $t -Socket $mine).Count
            Send-SocketData $mine -Line 'INCR a'
            Receive-SocketData $mine -Line -Timeout 5
            """, server.Port).Ok().Values.ToList();

        Assert.Equal(new object?[] { 0, "VALUE 2" }, result);
    }
}

/// <summary>Ctrl+C during a replay: it stops at once and its connection is closed.</summary>
[Collection(SerialCollection.Name)]
public sealed class SocketReplayStopTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void CtrlCStopsAReplayWaitingForAnAnswerAndClosesItsConnection()
    {
        using var server = PythonPeer.Listening("replay_server.py", "silent:1");
        Ps.Set("port", server.Port);

        var outcome = Ps.RunAndStop("""
            $e = [pscustomobject]@{ Event = 'Send'; Text = 'GET a\n' }, [pscustomobject]@{ Event = 'Receive'; Text = 'NONE\n' }
            $ready.Set()
            Invoke-SocketReplay -Trace $e 127.0.0.1 $port -Timeout 60
            """, stopWhen: () => server.ReadLine(Seconds(30)) == "SILENT");

        AssertStoppedPromptly(outcome);
        Assert.Equal("DONE 1", server.ReadLine(Seconds(10)));
        Assert.Equal(0, Ps.Run("@(Get-Socket).Count").Ok().Single);
    }
}
