using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// -Line and a text -Delimiter in UTF-16 and UTF-32 end a message only at a whole character: the bytes of
/// U+0A41 U+4100 in UTF-16LE are 41 0A 00 41, which hold a newline's bytes (0A 00) across the two characters.
/// </summary>
public sealed class WideTextFramingTests(PsSession ps) : SocketTestBase(ps)
{
    [Theory]
    [InlineData("utf16")]
    [InlineData("utf32")]
    public void ALineEndsAtItsNewlineNotAtANewlinesBytesInsideTwoCharacters(string encoding)
    {
        var result = WithPair("""
            $e = $args[0]
            "a$([char]0x0A41)$([char]0x4100)b`nnext`n" | Send-SocketData $c -Encoding $e
            Receive-SocketData $s -Line -Encoding $e -Timeout 5
            Receive-SocketData $s -Line -Encoding $e -Timeout 5
            """, encoding).Ok();
        Assert.Equal(new object?[] { "a\u0A41\u4100b", "next" }, result.Values);
    }

    [Fact]
    public void ATextDelimiterEndsOnlyAtWholeCharactersWhileBytesMatchAnywhere()
    {
        var result = WithPair("""
            "x$([char]0x7C41)$([char]0x4100)y|" | Send-SocketData $c -Encoding utf16 # 41 7C 00 41: '|' is 7C 00
            Receive-SocketData $s -Delimiter '|' -Encoding utf16 -Timeout 5
            [byte[]](0x41, 0x0A, 0x00, 0x41) | Send-SocketData $c
            Receive-SocketData $s -Delimiter ([byte[]](0x0A, 0x00)) -AsByteArray -Timeout 5
            """).Ok();
        Assert.Equal("x\u7C41\u4100y", result.Values.ElementAt(0));
        Assert.Equal(new byte[] { 0x41 }, result.Values.ElementAt(1));
    }
}
