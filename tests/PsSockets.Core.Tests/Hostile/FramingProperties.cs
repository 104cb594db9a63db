using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using Xunit;

namespace PsSockets.Core.Tests.Hostile;

/// <summary>
/// The framings alone (pure code), fed as Receive feeds them: random messages in every framing the module
/// has, the stream cut at every byte boundary, one byte at a time and in random chunks. Every message comes
/// out once and whole, the bytes after the last one stay, and a hostile length is refused before anything
/// is allocated. <see cref="ReceivePathProperties"/> drives the same through real sockets.
/// </summary>
public sealed class FramingProperties
{
    internal static readonly Gen<(FramingKind Kind, byte[][] Messages, byte[] Tail)> Framed =
        FramingKind.Any.SelectMany(kind => Gen.Select(
            Gen.Const(kind),
            kind.DataByte.Array[0, 24].Array[0, 6],
            Gen.Select(kind.DataByte.Array[0, 12], Gen.Double[0, 1]).Select((extra, part) => Partial(kind.Encode([extra]), part))));

    /// <summary>The first part of one more message's bytes: what a receive must keep until the rest comes.</summary>
    private static byte[] Partial(byte[] frame, double part) => frame[..(int)(part * (frame.Length - 1))];

    /// <summary>Feeds <paramref name="stream"/> in pieces that end at <paramref name="cuts"/>, taking every message Find returns, as Receive does.</summary>
    internal static (List<byte[]> Messages, byte[] Left) Feed(Framing framing, byte[] stream, IEnumerable<int> cuts)
    {
        var messages = new List<byte[]>();
        int start = 0;
        framing.Reset();
        foreach (int end in cuts.Append(stream.Length))
        {
            while (framing.Find(stream.AsSpan(start, end - start)) is { } frame)
            {
                messages.Add(stream.AsSpan(start + frame.Start, frame.Length).ToArray());
                Assert.InRange(frame.Consumed, frame.Start + frame.Length, end - start);
                start += frame.Consumed;
                framing.Reset();
            }
        }
        return (messages, stream[start..]);
    }

    [Fact]
    public void EveryMessageComesOutOnceWhereverTheStreamIsCut()
    {
        Framed.Sample((kind, messages, tail) =>
        {
            var stream = kind.Encode(messages).Concat(tail).ToArray();
            var (expected, rest) = kind.Decode(stream);
            var framing = kind.Create(int.MaxValue);
            void Check(IEnumerable<int> cuts)
            {
                var (got, left) = Feed(framing, stream, cuts);
                if (!Same(expected, got) || !rest.AsSpan().SequenceEqual(left))
                {
                    Assert.Fail($"cut at [{string.Join(", ", cuts)}]: expected [{string.Join(", ", expected.Select(Convert.ToHexString))}] and {Convert.ToHexString(rest)} left, "
                        + $"got [{string.Join(", ", got.Select(Convert.ToHexString))}] and {Convert.ToHexString(left)}");
                }
            }
            Check([]);
            Check(Enumerable.Range(1, stream.Length)); // one byte at a time
            for (int cut = 0; cut <= stream.Length; cut++)
            {
                Check([cut]);
            }
        }, iter: Runs.Of(1_000), print: Show);
    }

    [Fact]
    public void EveryMessageComesOutOnceInRandomChunks()
    {
        Gen.Select(Framed, Gen.Int[1, 64].Array[0, 40]).Sample((framed, sizes) =>
        {
            var (kind, messages, tail) = framed;
            var stream = kind.Encode(messages).Concat(tail).ToArray();
            var cuts = sizes.Select((_, i) => Math.Min(stream.Length, sizes.Take(i + 1).Sum()));
            var (expected, rest) = kind.Decode(stream);
            var (got, left) = Feed(kind.Create(int.MaxValue), stream, cuts);
            Assert.Equal(expected, got);
            Assert.Equal(rest, left);
        }, iter: Runs.Of(3_000));
    }

    /// <summary>Binary prefixes of every width and order; lengths from just past the limit to the largest the prefix holds.</summary>
    private static readonly Gen<(LengthPrefix Prefix, ulong Length, int Limit)> HugeLength =
        Gen.Select(Gen.OneOf(1, 2, 4, 8), Gen.OneOf(LengthPrefixFormat.BigEndian, LengthPrefixFormat.LittleEndian, LengthPrefixFormat.AsciiDigits), Gen.Int[0, 70_000])
            .Select((size, format, limit) => (new LengthPrefix(format == LengthPrefixFormat.AsciiDigits ? size * 2 + 3 : size, format), limit))
            .Where(p => p.Item1.MaxLength > (ulong)p.limit)
            .SelectMany(p => Gen.OneOf(
                    Gen.Const(p.Item1.MaxLength),
                    Gen.Const((ulong)p.limit + 1),
                    Gen.ULong[(ulong)p.limit + 1, p.Item1.MaxLength],
                    Gen.Const(Math.Min(p.Item1.MaxLength, 0xFFFFFFFFUL)),
                    Gen.Const(Math.Min(p.Item1.MaxLength, 0x8000_0000UL)))
                .Select(length => (p.Item1, length, p.limit)));

    [Fact]
    public void AHugeAnnouncedLengthIsRefusedBeforeAnythingIsAllocated()
    {
        HugeLength.Sample((prefix, length, limit) =>
        {
            var framing = new LengthPrefixFraming(prefix, limit, "test");
            var stream = prefix.Write(length).Concat(new byte[5]).ToArray();
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<SocketOperationException>(() => framing.Find(stream));
            Assert.Equal(SocketFailure.MessageTooLarge, e.Failure);
            Assert.Throws<SocketOperationException>(() => framing.SizeHint(stream));
            Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 * 1024); // two exceptions and their messages
        }, iter: Runs.Of(5_000));
    }

    [Theory]
    [InlineData(4, 0x7FFF_FFFFUL)] // with -MaxMessageSize 2147483647 the prefix and the message do not fit in one array
    [InlineData(8, 0x7FFF_FFFCUL)]
    [InlineData(2, 0xFFFFUL)]
    public void ALengthThatFitsTheLimitButNotAnArrayIsRefusedToo(int size, ulong length)
    {
        var prefix = new LengthPrefix(size, LengthPrefixFormat.BigEndian);
        var framing = new LengthPrefixFraming(prefix, int.MaxValue, "test");
        var stream = prefix.Write(length).Concat(new byte[3]).ToArray();
        if (length + (ulong)size <= (ulong)Array.MaxLength)
        {
            Assert.Null(framing.Find(stream));
            Assert.Equal((int)length + size - stream.Length, framing.SizeHint(stream));
            return;
        }
        var e = Assert.Throws<SocketOperationException>(() => framing.Find(stream));
        Assert.Equal(SocketFailure.MessageTooLarge, e.Failure);
    }

    [Fact]
    public void AZeroLengthIsAnEmptyMessageAndAnAsciiPrefixThatIsNotDigitsIsRefused()
    {
        Gen.Select(Gen.Int[1, 19], Gen.String[Gen.Char[" +-0123456789abcx\0"], 1, 19]).Sample((size, text) =>
        {
            var prefix = new LengthPrefix(size, LengthPrefixFormat.AsciiDigits);
            var header = Encoding.ASCII.GetBytes(text.PadLeft(size, '0')[..size]);
            var framing = new LengthPrefixFraming(prefix, 100, "test");
            bool digits = header.All(b => b is >= (byte)'0' and <= (byte)'9');
            if (!digits)
            {
                var e = Assert.Throws<SocketOperationException>(() => framing.Find(header));
                Assert.Equal(SocketFailure.InvalidLengthPrefix, e.Failure);
                return;
            }
            ulong length = ulong.Parse(Encoding.ASCII.GetString(header), System.Globalization.CultureInfo.InvariantCulture);
            if (length > 100)
            {
                Assert.Equal(SocketFailure.MessageTooLarge, Assert.Throws<SocketOperationException>(() => framing.Find(header)).Failure);
            }
            else if (length == 0)
            {
                Assert.Equal(new Frame(0, size, size), framing.Find(header));
            }
            else
            {
                Assert.Null(framing.Find(header));
            }
        }, iter: Runs.Of(5_000));
        foreach (var format in Enum.GetValues<LengthPrefixFormat>())
        {
            foreach (int size in new[] { 1, 2, 4, 8 })
            {
                var prefix = new LengthPrefix(size, format);
                Assert.Equal(new Frame(0, size, size), new LengthPrefixFraming(prefix, 0, "test").Find(prefix.Write(0)));
            }
        }
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    [InlineData("utf-8")]
    public void LinesInAWideEncodingEndOnlyAtANewlineCharacter(string name)
    {
        // Characters whose bytes hold 0A and 00 (U+0A41, U+4100, U+0A00): a newline's bytes found across two
        // characters are no newline.
        var encoding = Encoding.GetEncoding(name);
        var chars = Gen.OneOf(Gen.Char['a', 'z'], Gen.OneOf('\u0A41', '\u4100', '\u0A00', '\u0D0A', '\u0A0D', '\u2028', '\r', 'é'));
        Gen.Select(Gen.String[chars, 0, 12].Array[0, 6], Gen.Int[0, 60]).Sample((lines, cut) =>
        {
            var stream = encoding.GetBytes(string.Concat(lines.Select(l => l + "\n")));
            var expected = lines.Select(l => l.EndsWith('\r') ? l[..^1] : l).ToList();
            var (got, left) = Feed(DelimiterFraming.Line(encoding), stream, [Math.Min(cut, stream.Length)]);
            Assert.Equal(expected, got.Select(m => encoding.GetString(m)).ToList());
            Assert.Empty(left);
        }, iter: Runs.Of(2_000));
    }

    /// <summary>Random UTF-8 with invalid bytes mixed in: the tail that Utf8Boundary holds back is exactly a valid but incomplete character.</summary>
    internal static readonly Gen<byte[]> MostlyUtf8 = Gen.OneOf(
            Gen.String[Gen.Char, 0, 8].Select(s => Encoding.UTF8.GetBytes(s)),
            Gen.OneOf("é", "€", "😀", "\u0800", "\uFFFD").Select(s => Encoding.UTF8.GetBytes(s)),
            Gen.OneOf<byte>(0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF).Array[1, 3],
            Gen.Byte.Array[1, 3])
        .Array[0, 8].Select(parts => parts.SelectMany(p => p).ToArray());

    [Fact]
    public void Utf8BoundaryHoldsBackExactlyAValidIncompleteCharacter()
    {
        MostlyUtf8.Sample(bytes =>
        {
            for (int n = 0; n <= bytes.Length; n++)
            {
                Assert.Equal(ReferenceBoundary(bytes.AsSpan(0, n)), Utf8Boundary.CompletePrefixLength(bytes.AsSpan(0, n)));
            }
        }, iter: Runs.Of(5_000), print: b => Convert.ToHexString(b));
    }

    [Fact]
    public void TextInAnyPiecesDecodesAsTheWholeDoes()
    {
        Gen.Select(MostlyUtf8, Gen.Int[1, 8], Gen.Int[1, 7].Array[0, 20]).Sample((bytes, max, sizes) =>
        {
            var framing = new AvailableFraming(max, Encoding.UTF8);
            var text = new StringBuilder();
            int start = 0, end = 0;
            foreach (int size in sizes.Append(bytes.Length))
            {
                end = Math.Min(bytes.Length, end + size);
                while (framing.Find(bytes.AsSpan(start, end - start)) is { } frame)
                {
                    Assert.True(frame.Length <= max || frame.Length <= 4, $"{frame.Length} bytes with max {max}");
                    text.Append(PsSocket.DefaultEncoding.GetString(bytes, start, frame.Length));
                    start += frame.Consumed;
                }
            }
            Assert.Equal(bytes.Length - ReferenceBoundary(bytes), bytes.Length - start); // only a valid but incomplete character waits
            if (framing.AtEnd(bytes.AsSpan(start)) is { } last)
            {
                text.Append(PsSocket.DefaultEncoding.GetString(bytes, start, last.Length));
                start += last.Consumed;
            }
            Assert.Equal(bytes.Length, start);
            Assert.Equal(PsSocket.DefaultEncoding.GetString(bytes), text.ToString());
        }, iter: Runs.Of(5_000));
    }

    private static bool Same(List<byte[]> a, List<byte[]> b) => a.Count == b.Count && a.Zip(b).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    [InlineData("utf-32BE")]
    public void TextInAWideEncodingInAnyPiecesDecodesAsTheWholeDoes(string name)
    {
        var encoding = Encoding.GetEncoding(name);
        Gen.Select(Gen.String[Gen.OneOf(Gen.Char['a', 'z'], Gen.OneOf('é', '€', '\u0A41', '\u4100')), 0, 10].Array[0, 4], Gen.Int[1, 9], Gen.Int[1, 7].Array[0, 20])
            .Sample((parts, max, sizes) =>
            {
                string whole = string.Join("😀", parts); // a surrogate pair between the parts
                var bytes = encoding.GetBytes(whole);
                var framing = new AvailableFraming(max, encoding);
                var text = new StringBuilder();
                int start = 0, end = 0;
                foreach (int size in sizes.Append(bytes.Length))
                {
                    end = Math.Min(bytes.Length, end + size);
                    while (framing.Find(bytes.AsSpan(start, end - start)) is { } frame)
                    {
                        text.Append(encoding.GetString(bytes, start, frame.Length));
                        start += frame.Consumed;
                    }
                }
                Assert.Equal(bytes.Length, start); // valid text: nothing waits once all of it is there
                Assert.Equal(whole, text.ToString());
            }, iter: Runs.Of(2_000));
    }

    /// <summary>What to hold back, by the runtime's own decoder: the last character when it is valid so far but incomplete.</summary>
    internal static int ReferenceBoundary(ReadOnlySpan<byte> bytes)
    {
        for (int back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            if ((bytes[^back] & 0xC0) != 0x80)
            {
                return System.Text.Rune.DecodeFromUtf8(bytes[^back..], out _, out _) == System.Buffers.OperationStatus.NeedMoreData
                    ? bytes.Length - back
                    : bytes.Length;
            }
        }
        return bytes.Length;
    }

    private static string Show((FramingKind Kind, byte[][] Messages, byte[] Tail) c) =>
        $"{c.Kind}: [{string.Join(", ", c.Messages.Select(Convert.ToHexString))}] tail {Convert.ToHexString(c.Tail)}";
}
