using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>-Encoding on send and receive, and Send-SocketData -Line with the socket's NewLine.</summary>
public sealed class EncodingTests(PsSession ps) : SocketTestBase(ps)
{
    [Theory]
    [InlineData("utf16", 10)]
    [InlineData("utf16BE", 10)]
    [InlineData("utf32", 20)]
    [InlineData("latin1", 5)]
    public void TextRoundTripsInEachEncodingAndLinesUseItsNewline(string encoding, int bytes)
    {
        var result = WithPair("""
            $enc = $args[0]
            Send-SocketData $c "héllo" -Encoding $enc -Line
            $c.BytesSent -gt 0
            Receive-SocketData $s -Line -Encoding $enc -Timeout 5
            $s.BytesReceived - ($c.BytesSent - $args[1])
            """, encoding, bytes).Ok();
        Assert.Equal(new object?[] { true, "héllo", (long)bytes }, result.Values);
    }

    [Fact]
    public void AUtf16CharacterSplitAcrossReadsDecodesWhole()
    {
        var result = WithPair("""
            $b = [System.Text.Encoding]::Unicode.GetBytes("a😀")      # 6 bytes: a, high and low surrogate
            Send-SocketData $c ([byte[]]$b[0..2])
            Receive-SocketData $s -Encoding utf16 -Timeout 5
            Send-SocketData $c ([byte[]]$b[3..5])
            Receive-SocketData $s -Encoding utf16 -Timeout 5
            """).Ok();
        Assert.Equal(new object?[] { "a", "😀" }, result.Values);
    }

    [Fact]
    public void NewLineIsSettablePerSocketAndLineStripsItsCarriageReturn()
    {
        var result = WithPair("""
            $c.NewLine = "`r`n"
            "HELO me", "QUIT" | Send-SocketData $c -Line
            Receive-SocketData $s -Count 15 -AsByteArray | ForEach-Object { $_ } | Where-Object { $_ -eq 13 } | ForEach-Object { 'CR' }
            """).Ok();
        Assert.Equal(new object?[] { "CR", "CR" }, result.Values);
    }

    [Fact]
    public void AnUnknownEncodingFailsAtBinding()
    {
        var result = WithPair("Send-SocketData $c 'x' -Encoding no-such-encoding");
        Assert.Contains("not an encoding", (result.Exception?.Message ?? "") + string.Join(" ", result.Errors));
    }
}
