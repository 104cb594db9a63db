using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;

namespace PsSockets.Core.Tests.Hostile;

/// <summary>
/// A way messages are framed on a stream, with what a receiver must make of any byte stream framed so:
/// a plain reference decoder (no buffering tricks) that the real framings are held to.
/// </summary>
internal abstract record FramingKind
{
    public abstract Framing Create(int maxMessageSize);

    /// <summary>The stream that carries <paramref name="messages"/>.</summary>
    public abstract byte[] Encode(IReadOnlyList<byte[]> messages);

    /// <summary>The whole messages in <paramref name="stream"/>, in order, and the bytes after the last one.</summary>
    public abstract (List<byte[]> Messages, byte[] Left) Decode(byte[] stream);

    /// <summary>What a receive makes of <paramref name="rest"/> once the peer has closed: a last message, or null.</summary>
    public virtual byte[]? AtEnd(byte[] rest) => null;

    /// <summary>Bytes message data is drawn from: for delimiters, their own bytes, so that parts of them appear inside messages.</summary>
    public virtual Gen<byte> DataByte => Gen.Byte;

    public static readonly Gen<FramingKind> Any = Gen.OneOf<FramingKind>(
        Gen.Select(Gen.OneOf(1, 2, 4, 8), Gen.OneOf(LengthPrefixFormat.BigEndian, LengthPrefixFormat.LittleEndian))
            .Select((size, format) => (FramingKind)new Prefixed(new LengthPrefix(size, format))),
        Gen.Int[1, 6].Select(size => (FramingKind)new Prefixed(new LengthPrefix(size, LengthPrefixFormat.AsciiDigits))),
        Gen.OneOf(
            Gen.Const("\n"u8.ToArray()), Gen.Const("\r\n"u8.ToArray()), Gen.Const("\r\n\r\n"u8.ToArray()), Gen.Const("aab"u8.ToArray()),
            Gen.Const("abab"u8.ToArray()), Gen.Const(new byte[] { 0 }), Gen.Byte.Array[1, 4])
            .Select(d => (FramingKind)new Delimited(d, Line: false)),
        Gen.Const((FramingKind)new Delimited("\n"u8.ToArray(), Line: true)),
        Gen.Int[1, 9].Select(n => (FramingKind)new Counted(n)));
}

internal sealed record Prefixed(LengthPrefix Prefix) : FramingKind
{
    public override Framing Create(int maxMessageSize) => new LengthPrefixFraming(Prefix, maxMessageSize, "test");

    public override byte[] Encode(IReadOnlyList<byte[]> messages) =>
        messages.SelectMany(m => Prefix.Write((ulong)Math.Min((ulong)m.Length, Prefix.MaxLength)).Concat(m.Take((int)Math.Min((ulong)m.Length, Prefix.MaxLength)))).ToArray();

    public override (List<byte[]> Messages, byte[] Left) Decode(byte[] stream)
    {
        var messages = new List<byte[]>();
        int at = 0;
        while (stream.Length - at >= Prefix.Size)
        {
            ulong length = Prefix.Read(stream.AsSpan(at, Prefix.Size)) ?? throw new InvalidOperationException("not digits");
            if ((ulong)(stream.Length - at - Prefix.Size) < length)
            {
                break;
            }
            messages.Add(stream.AsSpan(at + Prefix.Size, (int)length).ToArray());
            at += Prefix.Size + (int)length;
        }
        return (messages, stream[at..]);
    }

    public override string ToString() => $"prefix {Prefix}";
}

internal sealed record Delimited(byte[] Delimiter, bool Line) : FramingKind
{
    public override Framing Create(int maxMessageSize) => Line ? DelimiterFraming.Line(System.Text.Encoding.UTF8) : new DelimiterFraming(Delimiter, null);

    public override Gen<byte> DataByte => Gen.Frequency((3, Gen.OneOf(Delimiter.Concat("\r"u8.ToArray()).ToArray())), (1, Gen.Byte));

    public override byte[] Encode(IReadOnlyList<byte[]> messages) => messages.SelectMany(m => m.Concat(Delimiter)).ToArray();

    public override (List<byte[]> Messages, byte[] Left) Decode(byte[] stream)
    {
        var messages = new List<byte[]>();
        int start = 0;
        for (int i = 0; i + Delimiter.Length <= stream.Length; i++)
        {
            if (i >= start && stream.AsSpan(i, Delimiter.Length).SequenceEqual(Delimiter))
            {
                messages.Add(Stripped(stream[start..i]));
                start = i + Delimiter.Length;
                i = start - 1;
            }
        }
        return (messages, stream[start..]);
    }

    public override byte[]? AtEnd(byte[] rest) => rest.Length == 0 ? null : Stripped(rest);

    private byte[] Stripped(byte[] message) => Line && message.Length > 0 && message[^1] == '\r' ? message[..^1] : message;

    public override string ToString() => $"{(Line ? "line" : "delimiter")} {Convert.ToHexString(Delimiter)}";
}

internal sealed record Counted(int Count) : FramingKind
{
    public override Framing Create(int maxMessageSize) => new CountFraming(Count);

    public override byte[] Encode(IReadOnlyList<byte[]> messages) => messages.SelectMany(m => m.Concat(new byte[Count]).Take(Count)).ToArray();

    public override (List<byte[]> Messages, byte[] Left) Decode(byte[] stream) =>
        (stream.Chunk(Count).Where(c => c.Length == Count).ToList(), stream[(stream.Length / Count * Count)..]);

    public override string ToString() => $"count {Count}";
}
