using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>send and recv: sendall, one recv, -Count, -Line, -ToEnd, bytes and text, end of stream.</summary>
public sealed class ReceiveTests(PsSession ps) : SocketTestBase(ps)
{
    private static object?[] N(ScriptResult r) => SocketLifecycleTests.Normalize(r);

    [Fact]
    public void OneReceiveReturnsWhatIsThereAtMostBufferSize()
    {
        var result = WithPair("""
            Send-SocketData $c "abcdefgh"
            $null = Receive-SocketData $s -Count 1 -Peek    # waits until the bytes are here
            Receive-SocketData $s -BufferSize 3
            Receive-SocketData $s
            """).Ok();
        Assert.Equal(new object?[] { "abc", "defgh" }, result.Values);
    }

    [Fact]
    public void CountLoopsAcrossSendsUntilItHasExactlyNBytes()
    {
        var result = WithPair("""
            Send-SocketData $c "ab"
            Send-SocketData $c "cd"
            Send-SocketData $c "efgh"
            Receive-SocketData $s -Count 5
            Receive-SocketData $s -Count 3
            """).Ok();
        Assert.Equal(new object?[] { "abcde", "fgh" }, result.Values);
    }

    [Fact]
    public void LineStripsCrLfAndKeepsTheRestBufferedForAnyMode()
    {
        var result = WithPair("""
            Send-SocketData $c "first`r`nsecond`nthird and more"
            Receive-SocketData $s -Line
            Receive-SocketData $s -Line
            $s.BytesBuffered -ge 0
            Receive-SocketData $s -Count 5
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $s -Line      # the last line needs no terminator
            """).Ok();
        Assert.Equal(new object?[] { "first", "second", true, "third", " and more" }, result.Values);
    }

    [Fact]
    public void AsByteArrayReturnsOneArrayWithTheExactBytes()
    {
        var result = WithPair("""
            $all = [byte[]](0..255)
            Send-SocketData $c $all
            $b = Receive-SocketData $s -Count 256 -AsByteArray
            $b.GetType().FullName
            [System.Linq.Enumerable]::SequenceEqual($b, $all)
            $none = Receive-SocketData $s -Timeout 0.2 -AsByteArray -ErrorAction SilentlyContinue
            $null -eq $none
            """).Ok();
        Assert.Equal(new object?[] { "System.Byte[]", true, true }, result.Values);
    }

    [Fact]
    public void SendTakesStringsBytesFromThePipelineNumbersAndStreams()
    {
        var result = WithPair("""
            [byte[]](65, 66, 67) | Send-SocketData $c          # unrolled by the pipeline, sent together
            Send-SocketData $c 42
            Send-SocketData $c ([System.IO.MemoryStream]::new([byte[]](1..200)))
            "x", "y" | Send-SocketData $c
            Receive-SocketData $s -Count 5
            $stream = Receive-SocketData $s -Count 200 -AsByteArray
            $stream[0]; $stream[199]
            Receive-SocketData $s -Count 2
            $c.BytesSent
            """).Ok();
        Assert.Equal(new object?[] { "ABC42", (byte)1, (byte)200, "xy", 207L }, result.Values);
    }

    [Fact]
    public void ACharacterSplitAcrossTwoReadsDecodesWholeAndATimeoutLosesNothing()
    {
        var result = WithPair("""
            $euro = [System.Text.Encoding]::UTF8.GetBytes("€")     # three bytes
            Send-SocketData $c ([byte[]]($euro[0], $euro[1]))
            Receive-SocketData $s -Timeout 0.3 -ErrorAction SilentlyContinue -ErrorVariable late
            $late[0].FullyQualifiedErrorId
            $s.BytesBuffered
            Send-SocketData $c ([byte[]]$euro[2] + [System.Text.Encoding]::UTF8.GetBytes("é!"))
            Receive-SocketData $s
            """).Ok();
        Assert.Equal(new object?[] { "OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand", 2, "€é!" }, N(result));
    }

    [Fact]
    public void TextNeverEndsInsideACharacterEvenWhenOneCharacterIsLongerThanBufferSize()
    {
        var result = WithPair("""
            Send-SocketData $c "€a"
            $null = Receive-SocketData $s -Count 4 -Peek
            Receive-SocketData $s -BufferSize 1
            Receive-SocketData $s -BufferSize 1
            """).Ok();
        Assert.Equal(new object?[] { "€", "a" }, result.Values);
    }

    [Fact]
    public void InvalidUtf8BecomesReplacementCharactersNotAFailure()
    {
        var result = WithPair("""
            Send-SocketData $c ([byte[]](0x61, 0xFF, 0xFE, 0x62, 0xC0, 0x80))
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $s -ToEnd
            """).Ok();
        Assert.Equal("a\uFFFD\uFFFDb\uFFFD\uFFFD", result.Single);
    }

    [Fact]
    public void PeekLooksWithoutConsuming()
    {
        var result = WithPair("""
            Send-SocketData $c "peekaboo`n"
            Receive-SocketData $s -Line -Peek
            Receive-SocketData $s -Count 4 -Peek
            Receive-SocketData $s -Line
            """).Ok();
        Assert.Equal(new object?[] { "peekaboo", "peek", "peekaboo" }, result.Values);
    }

    [Fact]
    public void ToEndReadsUntilThePeerShutsDownAndNotBeyondMaxMessageSize()
    {
        var result = WithPair("""
            Send-SocketData $c ([byte[]]::new(3000))
            Disconnect-Socket $c -Direction Send
            $s.MaxMessageSize = 1024
            Receive-SocketData $s -ToEnd -ErrorAction SilentlyContinue -ErrorVariable big
            $big[0].FullyQualifiedErrorId
            $s.MaxMessageSize = 1MB
            (Receive-SocketData $s -ToEnd -AsByteArray).Length
            """).Ok();
        Assert.Equal(new object?[] { "MessageTooLarge,PsSockets.Commands.ReceiveSocketDataCommand", 3000 }, result.Values);
    }

    [Fact]
    public void ToEndAfterTheEndWasDrainedIsPeerClosedNotAnEmptySuccess()
    {
        var result = WithPair("""
            Close-Socket $c
            "[" + (Receive-SocketData $s -ToEnd -Timeout 5) + "]"
            Receive-SocketData $s -ToEnd -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable again
            $again[0].FullyQualifiedErrorId
            """).Ok();
        Assert.Equal(new object?[] { "[]", "PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand" }, result.Values);
    }

    [Fact]
    public void ACountAboveMaxMessageSizeIsRefusedBeforeAnyAllocation()
    {
        var result = WithPair("Receive-SocketData $s -Count 2147483647 -Timeout 1");
        AssertError(result, "MessageTooLarge", ErrorCategory.LimitsExceeded, "ReceiveSocketDataCommand");
        Assert.Contains("MaxMessageSize", result.OnlyError.ToString());
    }

    [Fact]
    public void RecvReturningZeroIsReportedAsPeerClosedEveryTime()
    {
        var result = WithPair("""
            Close-Socket $c
            Receive-SocketData $s -Timeout 5
            Receive-SocketData $s -Timeout 5
            $s.State; $s.PeerClosed
            """);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal("PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
            Assert.Contains("peer closed", e.ToString());
        });
        Assert.Equal(new object?[] { "ReceiveShutdown", true }, N(result));
    }

    [Fact]
    public void AMessageCutShortByThePeerKeepsWhatArrived()
    {
        var result = WithPair("""
            Send-SocketData $c "abc"
            Close-Socket $c
            Receive-SocketData $s -Count 10 -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable short
            $short[0].FullyQualifiedErrorId
            $short[0].Exception.Message -match '3 bytes'
            Receive-SocketData $s -Timeout 5
            """).Ok();
        Assert.Equal(new object?[] { "PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand", true, "abc" }, result.Values);
    }

    [Fact]
    public void ReceiveWaitsForDataThatArrivesLater()
    {
        // The sender runs on another runspace's thread; the receive must block until it arrives.
        var result = WithPair("""
            $sender = [powershell]::Create([initialsessionstate]::CreateDefault2()).AddScript({ param($sock) $sock.Send([System.Text.Encoding]::UTF8.GetBytes("late"), [timespan]::FromSeconds(5), [System.Threading.CancellationToken]::None) }).AddArgument($c)
            $null = Receive-SocketData $s -Timeout 0 -ErrorAction SilentlyContinue    # nothing yet: a poll
            $handle = $sender.BeginInvoke()
            Receive-SocketData $s -Count 4 -Timeout 10
            $sender.EndInvoke($handle); $sender.Dispose()
            """).Ok();
        Assert.Equal(new object?[] { "late" }, result.Values);
    }

    [Theory]
    [InlineData("-Count 287")]
    [InlineData("-ToEnd")]
    [InlineData("")]
    public void AsHexDumpPrintsWhatHexdumpPrints(string mode)
    {
        byte[] data = [.. "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8, .. Enumerable.Range(0, 256).Select(i => (byte)i), .. "tail"u8];
        var result = WithPair($"""
            Send-SocketData $c $args[0]
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $s {mode} -AsHexDump -Timeout 5
            """, data).Ok();

        Assert.Equal(Hexdump(data), string.Join("\n", result.Values) + "\n");
    }

    /// <summary>What util-linux's hexdump -C -v (canonical, no squeezing) prints for <paramref name="data"/>.</summary>
    private static string Hexdump(byte[] data)
    {
        using var hexdump = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("hexdump", "-C -v")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        hexdump.StandardInput.BaseStream.Write(data);
        hexdump.StandardInput.Close();
        string printed = hexdump.StandardOutput.ReadToEnd();
        Assert.True(hexdump.WaitForExit(10_000));
        return printed;
    }
}
