using System;
using System.Linq;
using System.Text;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>Each framing finds the same message however the bytes were split into reads.</summary>
public sealed class FramingTests
{
    /// <summary>Feeds <paramref name="stream"/> to a framing in two reads cut at <paramref name="cut"/>, as Receive does.</summary>
    private static Frame? FindAfterTwoReads(Framing framing, byte[] stream, int cut)
    {
        var first = framing.Find(stream.AsSpan(0, cut));
        return first ?? framing.Find(stream);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("--boundary--")]
    [InlineData("\n")]
    public void ADelimiterSplitAtEveryByteBoundaryIsFoundOnce(string delimiter)
    {
        var stream = Encoding.UTF8.GetBytes("first part" + delimiter + "second" + delimiter);
        for (int cut = 0; cut <= stream.Length; cut++)
        {
            var frame = FindAfterTwoReads(new DelimiterFraming(Encoding.UTF8.GetBytes(delimiter), null), stream, cut);
            Assert.Equal(new Frame("first part".Length, "first part".Length + delimiter.Length), frame);
        }
    }

    [Fact]
    public void ALineDropsOneCarriageReturnOnlyBeforeItsNewline()
    {
        var line = DelimiterFraming.Line(Encoding.UTF8);
        Assert.Equal(new Frame(3, 5), line.Find("abc\r\nrest"u8));
        Assert.Equal(new Frame(4, 6), DelimiterFraming.Line(Encoding.UTF8).Find("a\rbc\r\n"u8));
        Assert.Equal(new Frame(0, 1), DelimiterFraming.Line(Encoding.UTF8).Find("\n"u8));
        Assert.Null(DelimiterFraming.Line(Encoding.UTF8).Find("no newline\r"u8));
        Assert.Equal(new Frame(10, 11), DelimiterFraming.Line(Encoding.UTF8).AtEnd("last line\r\r"u8));
    }

    [Fact]
    public void CountWaitsForExactlyNBytesAndAsksForTheRest()
    {
        var count = new CountFraming(5);
        Assert.Null(count.Find("abcd"u8));
        Assert.Equal(1, count.SizeHint("abcd"u8));
        Assert.Equal(new Frame(5, 5), count.Find("abcdef"u8));
        Assert.Null(count.AtEnd("abc"u8));
    }

    [Fact]
    public void ToEndCompletesOnlyAtTheEnd()
    {
        var toEnd = new ToEndFraming();
        Assert.Null(toEnd.Find("anything"u8));
        Assert.Equal(new Frame(8, 8), toEnd.AtEnd("anything"u8));
    }

    [Fact]
    public void AvailableTextNeverSplitsACharacterAtAnyBufferSize()
    {
        var text = "a€é😀b";
        var bytes = Encoding.UTF8.GetBytes(text);
        for (int max = 1; max <= bytes.Length; max++)
        {
            var decoded = new StringBuilder();
            int offset = 0;
            while (offset < bytes.Length)
            {
                var frame = new AvailableFraming(max, Encoding.UTF8).Find(bytes.AsSpan(offset));
                Assert.NotNull(frame);
                decoded.Append(Encoding.UTF8.GetString(bytes, offset, frame.Value.Length));
                offset += frame.Value.Consumed;
            }
            Assert.Equal(text, decoded.ToString());
        }
    }

    [Fact]
    public void Utf8BoundaryHoldsBackOnlyAValidIncompleteTail()
    {
        foreach (var text in new[] { "abc", "é", "€", "😀", "x€y😀z" })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            for (int cut = 0; cut <= bytes.Length; cut++)
            {
                int whole = Utf8Boundary.CompletePrefixLength(bytes.AsSpan(0, cut));
                Assert.InRange(whole, Math.Max(0, cut - 3), cut);
                // What is held back plus what follows decodes to the original text, with no U+FFFD.
                Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(bytes, 0, whole));
                Assert.Equal(text, Encoding.UTF8.GetString(bytes, 0, whole) + Encoding.UTF8.GetString(bytes, whole, bytes.Length - whole));
            }
        }
        Assert.Equal(2, Utf8Boundary.CompletePrefixLength(new byte[] { 0xFF, 0x80 })); // invalid bytes are never held back
        Assert.Equal(2, Utf8Boundary.CompletePrefixLength(new byte[] { 0x61, 0xF5 }));
        Assert.Equal(2, Utf8Boundary.CompletePrefixLength(new byte[] { 0x61, 0xF8 }));
    }

    [Fact]
    public void TheReceiveBufferKeepsEveryByteInOrderThroughGrowthAndCompaction()
    {
        var buffer = new ReceiveBuffer();
        var random = new Random(3);
        var expected = new System.Collections.Generic.List<byte>();
        byte next = 0;
        for (int round = 0; round < 2000; round++)
        {
            var space = buffer.GetWritable(random.Next(1, 200_000));
            int n = random.Next(0, Math.Min(space.Length, 150_000));
            for (int i = 0; i < n; i++)
            {
                space.Span[i] = next;
                expected.Add(next++);
            }
            buffer.Commit(n);
            int take = random.Next(0, buffer.Count + 1);
            Assert.True(buffer.Span[..take].SequenceEqual(expected.GetRange(0, take).ToArray()));
            buffer.Consume(take);
            expected.RemoveRange(0, take);
            Assert.Equal(expected.Count, buffer.Count);
        }
    }
}
