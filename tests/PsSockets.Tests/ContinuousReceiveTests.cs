using System;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Receive-SocketData -Continuous: a stream of messages to the pipeline, ended by the peer, a timeout or Ctrl+C.</summary>
[Collection(SerialCollection.Name)]
public sealed class ContinuousReceiveTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void EachLineFlowsToThePipelineUntilThePeerCloses()
    {
        var result = WithPair("""
            "one`n", "two`r`n", "three`n" | Send-SocketData $c
            Close-Socket $c
            Receive-SocketData $s -Line -Continuous -Timeout 5 | ForEach-Object { "<$_>" }
            """).Ok();
        Assert.Equal(new object?[] { "<one>", "<two>", "<three>" }, result.Values);
    }

    [Fact]
    public void LengthPrefixedMessagesFlowAsByteArrays()
    {
        var result = WithPair("""
            [byte[]](1, 2), [byte[]](3) | Send-SocketData $c -LengthPrefix 2
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $s -LengthPrefix 2 -AsByteArray -Continuous -Timeout 5 | ForEach-Object { $_.Length }
            """).Ok();
        Assert.Equal(new object?[] { 2, 1 }, result.Values);
    }

    [Fact]
    public void ATimeoutBetweenMessagesEndsTheStreamWithAnErrorAfterWhatArrived()
    {
        var result = WithPair("""
            Send-SocketData $c "a`nb`n"
            Receive-SocketData $s -Line -Continuous -Timeout 0.3
            """);
        Assert.Equal(new object?[] { "a", "b" }, result.Values);
        Assert.Equal("OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand", result.OnlyError.FullyQualifiedErrorId);
    }

    [Fact]
    public void APeerThatClosesMidMessageIsAnError()
    {
        var result = WithPair("""
            Send-SocketData $c ([byte[]](0, 0, 0, 9, 1, 2))
            Close-Socket $c
            Receive-SocketData $s -LengthPrefix 4 -Continuous -Timeout 5
            """);
        Assert.Empty(result.Output);
        Assert.Equal("PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand", result.OnlyError.FullyQualifiedErrorId);
    }

    [Fact]
    public void ContinuousWithPeekIsRefused()
    {
        var result = WithPair("Receive-SocketData $s -Line -Continuous -Peek");
        var error = result.Exception is IContainsErrorRecord c ? c.ErrorRecord : result.OnlyError;
        Assert.Equal("ContinuousWithPeek,PsSockets.Commands.ReceiveSocketDataCommand", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void StopEndsTheStreamAndKeepsWhatArrivedEmitted()
    {
        Ps.Run(ConnectedPair + "\nSend-SocketData $c \"x`ny`npartial\"").Ok();
        // Ready once "y" has flowed down the pipeline: the cmdlet then waits on the unfinished line.
        var outcome = Ps.RunAndStop("Receive-SocketData $s -Line -Continuous | ForEach-Object { $_; if ($_ -eq 'y') { $ready.Set() } }");
        AssertStoppedPromptly(outcome);
        Assert.Equal(new object?[] { "x", "y" }, outcome.Output.Select(o => o.BaseObject));
        var rest = Ps.Run("Send-SocketData $c \"!`n\"; Receive-SocketData $s -Line -Timeout 5").Ok();
        Assert.Equal("partial!", rest.Single);
    }
}
