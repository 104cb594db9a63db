using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>select(): readiness to read, write and error, listeners, buffered bytes, dead sockets.</summary>
public sealed class SelectSocketTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void AListenerIsReadableOnceAConnectionIsPending()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            $before = Select-Socket -Read $l -Timeout 0
            $before.TimedOut; $before.Read.Count
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $after = Select-Socket -Read $l -Timeout 5
            $after.Read.Count; [object]::ReferenceEquals($after.Read[0], $l)
            $s = Wait-SocketConnection $l -Timeout 0       # select said accept would not block
            $s.State
            """).Ok();
        Assert.Equal(new object?[] { true, 0, 1, true, "Connected" }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void ReadWriteAndTimeoutReadinessOfAConnectedPair()
    {
        var result = WithPair("""
            $idle = Select-Socket -Read $s, $c -Timeout 0.2
            $idle.TimedOut
            $w = Select-Socket -Write $c -Timeout 1
            [object]::ReferenceEquals($w.Write[0], $c)
            Send-SocketData $c "x"
            $r = Select-Socket -Read $s, $c -Write @() -Timeout 5
            $r.Read.Count; [object]::ReferenceEquals($r.Read[0], $s)
            """).Ok();
        Assert.Equal(new object?[] { true, true, 1, true }, result.Values);
    }

    [Fact]
    public void BytesAlreadyBufferedMakeASocketReadableThoughTheOsHasNone()
    {
        var result = WithPair("""
            Send-SocketData $c "one`ntwo`n"
            Receive-SocketData $s -Line
            $r = Select-Socket -Read $s -Timeout 0
            $r.Read.Count
            Receive-SocketData $s -Line -Timeout 0
            """).Ok();
        Assert.Equal(new object?[] { "one", 1, "two" }, result.Values);
    }

    [Fact]
    public void AClosedSocketLandsInTheErrorSetWithoutFailingTheCall()
    {
        var result = WithPair("""
            Send-SocketData $c "ready"
            Close-Socket $l
            $r = Select-Socket -Read $l, $s -Write $c -Timeout 5
            $r.Error.Count; [object]::ReferenceEquals($r.Error[0], $l)
            $r.Read.Count; [object]::ReferenceEquals($r.Read[0], $s)
            """).Ok();
        Assert.Equal(new object?[] { 1, true, 1, true }, result.Values);
    }

    [Fact]
    public void APeerThatClosedIsReadableSoTheLoopLearnsOfIt()
    {
        var result = WithPair("""
            Close-Socket $c
            (Select-Socket -Read $s -Timeout 5).Read.Count
            Receive-SocketData $s -ErrorAction SilentlyContinue -ErrorVariable eof
            $eof[0].FullyQualifiedErrorId
            """).Ok();
        Assert.Equal(new object?[] { 1, "PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand" }, result.Values);
    }

    [Fact]
    public void PositionalListsAndSocketIdsWork()
    {
        var result = WithPair("""
            Send-SocketData $c "x"
            $r = Select-Socket @($s.Id) @($c.Id) -Timeout 5
            $r.Read.Count; $r.Write.Count
            """).Ok();
        Assert.Equal(new object?[] { 1, 1 }, result.Values);
    }

    /// <summary>A second client $c2 on the pair's listener, and its server side $s2.</summary>
    private const string SecondPair = """
        $c2 = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
        $s2 = Wait-SocketConnection -Listener $l -Timeout 5

        """;

    [Fact]
    public void DuplicatesAreReportedOnceAndEachSetFollowsTheInputOrder()
    {
        var result = WithPair(SecondPair + """
            Send-SocketData $c "x"
            Send-SocketData $c2 "y"
            $null = Select-Socket -Read $s -Timeout 5
            $null = Select-Socket -Read $s2 -Timeout 5
            $r = Select-Socket -Read $s2, $s, $s2, $s -Write $c, $c2, $c -Timeout 5
            $r.Read.Count; [object]::ReferenceEquals($r.Read[0], $s2); [object]::ReferenceEquals($r.Read[1], $s)
            $r.Write.Count; [object]::ReferenceEquals($r.Write[0], $c); [object]::ReferenceEquals($r.Write[1], $c2)
            $r = Select-Socket -Read $s, $s2 -Timeout 5
            [object]::ReferenceEquals($r.Read[0], $s); [object]::ReferenceEquals($r.Read[1], $s2)
            """).Ok();
        Assert.Equal(new object?[] { 2, true, true, 2, true, true, true, true }, result.Values);
    }

    [Fact]
    public void BufferedAndOsReadySocketsComeInInputOrderAndOnce()
    {
        var result = WithPair(SecondPair + """
            Send-SocketData $c "one`ntwo`n"
            Receive-SocketData $s -Line
            $s.BytesBuffered -gt 0
            Send-SocketData $c2 "y"
            $null = Select-Socket -Read $s2 -Timeout 5
            $r = Select-Socket -Read $s2, $s -Timeout 5
            $r.Read.Count; [object]::ReferenceEquals($r.Read[0], $s2); [object]::ReferenceEquals($r.Read[1], $s)
            Send-SocketData $c "three"
            $s.Socket.Poll(5000000, 'SelectRead')                 # the OS has bytes too now
            (Select-Socket -Read $s, $s -Timeout 5).Read.Count
            """).Ok();
        Assert.Equal(new object?[] { "one", true, 2, true, true, true, 1 }, result.Values);
    }

    [Fact]
    public void AClosedSocketInSeveralListsIsReportedOnce()
    {
        var result = WithPair("""
            Close-Socket $l
            $r = Select-Socket -Read $l, $s, $l -Write $c, $l -Error $l -Timeout 5
            $r.Error.Count; [object]::ReferenceEquals($r.Error[0], $l)
            $r.Read.Count; $r.Write.Count; [object]::ReferenceEquals($r.Write[0], $c)
            """).Ok();
        Assert.Equal(new object?[] { 1, true, 0, 1, true }, result.Values);
    }
}
