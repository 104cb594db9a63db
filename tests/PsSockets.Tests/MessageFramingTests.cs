using System;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Length prefixes and delimiters, on receive and on send, against each other and a python peer.</summary>
public sealed class MessageFramingTests(PsSession ps) : SocketTestBase(ps)
{
    [Theory]
    [InlineData("!I", "4", "BigEndian")]
    [InlineData("<H", "2", "LittleEndian")]
    [InlineData("!Q", "8", "BigEndian")]
    [InlineData("ascii5", "5", "AsciiDigits")]
    public void LengthPrefixedMessagesFromASlowPythonPeerAndBack(string pythonFormat, string size, string format)
    {
        using var peer = PythonPeer.Listening("prefixed_peer.py", pythonFormat, "2", "hello", "", "wörld €");
        var result = Ps.Run("""
            $port, $size, $format = $args
            $p = Connect-Socket 127.0.0.1 $port -Timeout 5
            1..3 | ForEach-Object { "[" + (Receive-SocketData $p -LengthPrefix $size -LengthPrefixFormat $format -Timeout 10) + "]" }
            "answer one", "ánswer two" | Send-SocketData $p -LengthPrefix $size -LengthPrefixFormat $format
            """, peer.Port, int.Parse(size, System.Globalization.CultureInfo.InvariantCulture), format).Ok();
        Assert.Equal(new object?[] { "[hello]", "[]", "[wörld €]" }, result.Values);
        Assert.Equal("GOT answer one", peer.ReadLine(Seconds(10)));
        Assert.Equal("GOT ánswer two", peer.ReadLine(Seconds(10)));
    }

    [Fact]
    public void MessagesBackToBackInOneSendAreReadOneByOneInAnyMode()
    {
        var result = WithPair("""
            $batch = [System.IO.MemoryStream]::new()
            foreach ($m in 'one', 'two', 'three') { $b = [System.Text.Encoding]::UTF8.GetBytes($m); $batch.Write([byte[]](0, 0, 0, $b.Length), 0, 4); $batch.Write($b, 0, $b.Length) }
            Send-SocketData $c $batch.ToArray()
            Receive-SocketData $s -LengthPrefix 4
            Receive-SocketData $s -LengthPrefix 4 -Peek
            Receive-SocketData $s -LengthPrefix 4
            Receive-SocketData $s -Count 4 -AsByteArray | ForEach-Object { $_ }
            Receive-SocketData $s -Count 5
            """).Ok();
        Assert.Equal(new object?[] { "one", "two", "two", (byte)0, (byte)0, (byte)0, (byte)5, "three" }, result.Values);
    }

    [Fact]
    public void ALyingFourGigabytePrefixFailsAtOnceWithoutAllocatingOrConsuming()
    {
        var result = WithPair("""
            Send-SocketData $c ([byte[]](0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3))
            $null = Receive-SocketData $s -Count 7 -Peek -Timeout 5
            $before = [GC]::GetAllocatedBytesForCurrentThread()
            Receive-SocketData $s -LengthPrefix 4 -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable lie
            [GC]::GetAllocatedBytesForCurrentThread() - $before -lt 16MB
            $lie[0].FullyQualifiedErrorId
            $lie[0].CategoryInfo.Category.ToString()
            $lie[0].Exception.Message -match '4294967295'
            $s.BytesBuffered
            """).Ok();
        Assert.Equal(new object?[] { true, "MessageTooLarge,PsSockets.Commands.ReceiveSocketDataCommand", "LimitsExceeded", true, 7 }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void MaxMessageSizePerCallAndAPrefixThatIsNotDigits()
    {
        var result = WithPair("""
            Send-SocketData $c "0000512345"
            Receive-SocketData $s -LengthPrefix 5 -LengthPrefixFormat AsciiDigits -MaxMessageSize 4 -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable big
            $big[0].FullyQualifiedErrorId
            Receive-SocketData $s -LengthPrefix 5 -LengthPrefixFormat AsciiDigits -Timeout 5
            Send-SocketData $c "12a45xxxx"
            Receive-SocketData $s -LengthPrefix 5 -LengthPrefixFormat AsciiDigits -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable bad
            $bad[0].FullyQualifiedErrorId
            Receive-SocketData $s -Count 9
            """).Ok();
        Assert.Equal(new object?[] { "MessageTooLarge,PsSockets.Commands.ReceiveSocketDataCommand", "12345",
            "InvalidLengthPrefix,PsSockets.Commands.ReceiveSocketDataCommand", "12a45xxxx" }, result.Values);
    }

    [Fact]
    public void ADelimiterOfAnyBytesFramesBothWaysAndATimeoutLosesNothing()
    {
        var result = WithPair("""
            "alpha", "beta" | Send-SocketData $c -Delimiter '<END>'
            Receive-SocketData $s -Delimiter '<END>'
            Receive-SocketData $s -Delimiter ([byte[]](60, 69, 78, 68, 62))
            Send-SocketData $c "no end yet <EN"
            Receive-SocketData $s -Delimiter '<END>' -Timeout 0.3 -ErrorAction SilentlyContinue -ErrorVariable late
            $late[0].FullyQualifiedErrorId
            Send-SocketData $c "D>"
            Receive-SocketData $s -Delimiter '<END>' -Timeout 5
            """).Ok();
        Assert.Equal(new object?[] { "alpha", "beta", "OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand", "no end yet " }, result.Values);
    }

    [Fact]
    public void APrefixTooSmallForTheMessageSendsNothing()
    {
        var result = WithPair("Send-SocketData $c ('x' * 300) -LengthPrefix 1; $c.BytesSent");
        Assert.Equal("MessageTooLarge,PsSockets.Commands.SendSocketDataCommand", result.Errors.Single().FullyQualifiedErrorId);
        Assert.Equal(0L, result.Output.Single().BaseObject);
    }

    [Fact]
    public void StopInTheMiddleOfALengthPrefixedMessageKeepsItsBytes()
    {
        Ps.Run(ConnectedPair + "\nSend-SocketData $c ([byte[]](0, 0, 0, 6, 104, 97, 108))").Ok();
        var outcome = Ps.RunAndStop("$ready.Set(); Receive-SocketData $s -LengthPrefix 4");
        AssertStoppedPromptly(outcome);
        var result = Ps.Run("Send-SocketData $c 'f!!'; Receive-SocketData $s -LengthPrefix 4 -Timeout 5").Ok();
        Assert.Equal("half!!", result.Single);
    }
}
