using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Invoke-SocketRequest: one request out, one framed answer back, in one cmdlet call.</summary>
public sealed class InvokeSocketRequestTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void EachFramingSendsTheRequestFramedAndReadsOneAnswerAgainstThePythonEchoServer()
    {
        using var server = PythonPeer.Listening("echo_server.py", "4", "1");

        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            Invoke-SocketRequest $c 'PING' -Timeout 5                         # a line out, a line back
            'one', 'two ✓' | Invoke-SocketRequest $c -Line -Timeout 5          # one request per input
            Invoke-SocketRequest $c 'abcdef' -Count 6 -Timeout 5               # sent as is, 6 bytes back
            Invoke-SocketRequest $c 'x y' -Delimiter ';' -Timeout 5
            Invoke-SocketRequest $c 'prefixed' -LengthPrefix 4 -Timeout 5
            Invoke-SocketRequest $c ([byte[]](0, 255, 7)) -LengthPrefix 5 -LengthPrefixFormat AsciiDigits -AsByteArray -Timeout 5
            $c.BytesBuffered
            Invoke-SocketRequest $c 'GET / HTTP/1.0' -ToEnd -Timeout 5         # shutdown(SHUT_WR), then all until close
            $c.State.ToString()
            """, server.Port).Ok();

        var values = result.Values.ToArray();
        Assert.Equal(new object?[] { "PING", "one", "two ✓", "abcdef", "x y", "prefixed" }, values[..6]);
        Assert.Equal(new byte[] { 0, 255, 7 }, Assert.IsType<byte[]>(values[6]));
        Assert.Equal(0, values[7]);      // every answer was taken whole, nothing left over
        Assert.Equal("GET / HTTP/1.0", values[8]);
        Assert.Equal("Shutdown", values[9]);
    }

    [Fact]
    public void ASilentServerTimesOutAndALateAnswerIsNotLost()
    {
        var result = WithPair("""
            Invoke-SocketRequest $c 'PING' -Timeout 0.3
            Receive-SocketData $s -Line -Timeout 5
            Send-SocketData $s "PONG`n"
            Receive-SocketData $c -Line -Timeout 5
            """);

        AssertError(result, "OperationTimeout", ErrorCategory.OperationTimeout, "InvokeSocketRequestCommand");
        Assert.Equal(new object?[] { "PING", "PONG" }, result.Values.ToArray());
    }

    [Fact]
    public void StopEndsAWaitForTheAnswerWithinASecond()
    {
        var server = (System.Net.Sockets.Socket)Ps.Run(ConnectedPair + "\n$s.Socket").Ok().Single!;
        // Stopped once the request is at the peer, so the stop lands in the wait for the answer.
        var outcome = Ps.RunAndStop("$ready.Set(); Invoke-SocketRequest $c 'PING'", stopWhen: () => server.Available >= "PING\n".Length);
        AssertStoppedPromptly(outcome);
        Assert.Equal("PING", Ps.Run("Receive-SocketData $s -Line -Timeout 5").Ok().Single);
    }
}
