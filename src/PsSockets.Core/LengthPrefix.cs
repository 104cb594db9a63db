using System;
using System.Buffers.Binary;
using System.Globalization;

namespace PsSockets;

/// <summary>How a length prefix is written: binary in either byte order, or ASCII digits (the seeds' "5 numeric characters").</summary>
public enum LengthPrefixFormat
{
    /// <summary>Network byte order, as htonl() writes it.</summary>
    BigEndian,
    LittleEndian,
    /// <summary>Decimal digits, zero-padded to the prefix's size: "00042".</summary>
    AsciiDigits,
}

/// <summary>A message length written before each message: its size in bytes and its format.</summary>
public readonly record struct LengthPrefix
{
    public LengthPrefix(int size, LengthPrefixFormat format)
    {
        if (Refusal(size, format) is { } why)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, why);
        }
        Size = size;
        Format = format;
    }

    /// <summary>Why no prefix has <paramref name="size"/> in <paramref name="format"/>; null when one does.</summary>
    public static string? Refusal(int size, LengthPrefixFormat format) => format == LengthPrefixFormat.AsciiDigits
        ? size is >= 1 and <= 19 ? null : "An ASCII length prefix has 1 to 19 digits."
        : size is 1 or 2 or 4 or 8 ? null : "A binary length prefix is 1, 2, 4 or 8 bytes.";

    public int Size { get; }

    public LengthPrefixFormat Format { get; }

    /// <summary>The largest length this prefix can express.</summary>
    public ulong MaxLength => Format == LengthPrefixFormat.AsciiDigits
        ? (ulong)Math.Pow(10, Size) - 1
        : Size == 8 ? ulong.MaxValue : (1UL << (8 * Size)) - 1;

    /// <summary>Reads the length at the start of <paramref name="header"/> (exactly <see cref="Size"/> bytes); null when it is not digits.</summary>
    public ulong? Read(ReadOnlySpan<byte> header)
    {
        switch (Format)
        {
            case LengthPrefixFormat.AsciiDigits:
                ulong value = 0;
                foreach (byte b in header)
                {
                    if (b is < (byte)'0' or > (byte)'9')
                    {
                        return null;
                    }
                    value = value * 10 + (ulong)(b - '0');
                }
                return value;
            case LengthPrefixFormat.LittleEndian:
                Span<byte> le = stackalloc byte[8];
                le.Clear();
                header.CopyTo(le);
                return BinaryPrimitives.ReadUInt64LittleEndian(le);
            default:
                Span<byte> be = stackalloc byte[8];
                be.Clear();
                header.CopyTo(be[(8 - Size)..]);
                return BinaryPrimitives.ReadUInt64BigEndian(be);
        }
    }

    /// <summary>The prefix for a message of <paramref name="length"/> bytes.</summary>
    public byte[] Write(ulong length)
    {
        if (length > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A {Describe()} length prefix holds at most {MaxLength}.");
        }
        var header = new byte[Size];
        switch (Format)
        {
            case LengthPrefixFormat.AsciiDigits:
                System.Text.Encoding.ASCII.GetBytes(length.ToString("D" + Size.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), header);
                break;
            case LengthPrefixFormat.LittleEndian:
                Span<byte> le = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(le, length);
                le[..Size].CopyTo(header);
                break;
            default:
                Span<byte> be = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(be, length);
                be[(8 - Size)..].CopyTo(header);
                break;
        }
        return header;
    }

    public string Describe() => Format == LengthPrefixFormat.AsciiDigits ? $"{Size}-digit" : $"{Size}-byte {Format}";

    public override string ToString() => Describe();
}
