using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PsSockets;

/// <summary>A format string that is not valid, or values and bytes that do not fit it (Python's struct.error).</summary>
public sealed class StructFormatException(string message) : Exception(message);

/// <summary>
/// Binary records as Python's <c>struct</c> describes them: a byte-order character (@ = &lt; &gt; !)
/// then items such as <c>H</c>, <c>2I</c>, <c>10s</c>. '@' (the default) is native order, sizes and
/// alignment; the others are standard sizes with no padding.
/// </summary>
public sealed class StructFormat
{
    /// <summary>The largest record a format may describe: a longer one is a typo or an attack, not a struct.</summary>
    public const int MaxByteCount = PsSocket.DefaultMaxMessageSize;

    private readonly List<(char Code, int Count)> _items = new();
    private readonly bool _native;
    private readonly bool _littleEndian;

    public StructFormat(string format)
    {
        Text = format ?? throw new ArgumentNullException(nameof(format));
        int i = 0;
        char order = format.Length > 0 && "@=<>!".Contains(format[0], StringComparison.Ordinal) ? format[i++] : '@';
        _native = order == '@';
        _littleEndian = order switch { '<' => true, '>' or '!' => false, _ => BitConverter.IsLittleEndian };
        while (i < format.Length)
        {
            if (char.IsWhiteSpace(format[i]))
            {
                i++;
                continue;
            }
            int start = i;
            while (i < format.Length && char.IsAsciiDigit(format[i]))
            {
                i++;
            }
            int count = i > start ? Count(format, format.AsSpan(start, i - start)) : 1;
            if (i >= format.Length)
            {
                throw new StructFormatException($"Format '{format}' ends with a repeat count and no format character.");
            }
            char code = format[i++];
            if (Size(code) == 0)
            {
                throw new StructFormatException($"Format '{format}': '{code}' is not a struct format character (x c b B ? h H i I l L q Q e f d s).");
            }
            _items.Add((code, count));
        }
        ByteCount = Measure();
    }

    public string Text { get; }

    /// <summary>The size of one record, struct.calcsize().</summary>
    public int ByteCount { get; }

    /// <summary>How many values one record holds (pad bytes hold none; "10s" holds one).</summary>
    public int ValueCount
    {
        get
        {
            int n = 0;
            foreach (var (code, count) in _items)
            {
                n += code == 'x' ? 0 : code == 's' ? 1 : count;
            }
            return n;
        }
    }

    /// <summary>struct.pack(): the values as one record.</summary>
    public byte[] Pack(IReadOnlyList<object?> values)
    {
        if (values.Count != ValueCount)
        {
            throw new StructFormatException($"Format '{Text}' takes {ValueCount} values, not {values.Count}.");
        }
        var bytes = new byte[ByteCount];
        Layout(bytes, values);
        return bytes;
    }

    /// <summary>struct.unpack(): the values of one record of exactly <see cref="ByteCount"/> bytes.</summary>
    public object[] Unpack(ReadOnlySpan<byte> record)
    {
        if (record.Length != ByteCount)
        {
            throw new StructFormatException($"Format '{Text}' needs exactly {ByteCount} bytes, not {record.Length}.");
        }
        var values = new List<object>();
        var buffer = record.ToArray();
        int offset = 0;
        foreach (var (code, count) in _items)
        {
            offset = (int)Align(offset, code);
            if (code == 's')
            {
                values.Add(buffer.AsSpan(offset, count).ToArray());
                offset += count;
                continue;
            }
            for (int n = 0; n < count; n++)
            {
                if (code != 'x')
                {
                    values.Add(Read(code, buffer.AsSpan(offset, Size(code))));
                }
                offset += Size(code);
            }
        }
        return values.ToArray();
    }

    /// <summary>A repeat count: digits, at most <see cref="MaxByteCount"/> (struct.error says "total struct size too long" past sys.maxsize).</summary>
    private static int Count(string format, ReadOnlySpan<char> digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count <= MaxByteCount
            ? count
            : throw TooLong(format);

    private static StructFormatException TooLong(string format) =>
        new($"Format '{format}' describes a record of more than {MaxByteCount} bytes; a struct format is for small binary records.");

    /// <summary>The record size, counted without walking each repeated item: "1000000x" is measured at once.</summary>
    private int Measure()
    {
        long offset = 0;
        foreach (var (code, count) in _items)
        {
            offset = Align(offset, code) + (long)count * (code == 's' ? 1 : Size(code));
            if (offset > MaxByteCount)
            {
                throw TooLong(Text);
            }
        }
        return (int)offset;
    }

    /// <summary>Walks the items and writes the values into <paramref name="bytes"/>.</summary>
    private void Layout(byte[] bytes, IReadOnlyList<object?> values)
    {
        int offset = 0;
        int v = 0;
        foreach (var (code, count) in _items)
        {
            offset = (int)Align(offset, code);
            if (code == 's')
            {
                var data = AsBytes(values[v++], code);
                data.AsSpan(0, Math.Min(count, data.Length)).CopyTo(bytes.AsSpan(offset)); // cut or zero-padded, as struct does
                offset += count;
                continue;
            }
            if (code == 'x')
            {
                offset += count;
                continue;
            }
            for (int n = 0; n < count; n++)
            {
                Write(code, values[v++], bytes.AsSpan(offset, Size(code)));
                offset += Size(code);
            }
        }
    }

    private int Size(char code) => code switch
    {
        'x' or 'c' or 'b' or 'B' or '?' or 's' => 1,
        'h' or 'H' or 'e' => 2,
        'i' or 'I' or 'f' => 4,
        'l' or 'L' => _native ? IntPtr.Size : 4, // C long: 8 bytes natively on 64-bit Unix
        'q' or 'Q' or 'd' => 8,
        _ => 0,
    };

    private long Align(long offset, char code)
    {
        int size = code is 's' or 'x' ? 1 : Size(code);
        return _native && size > 1 ? (offset + size - 1) / size * size : offset;
    }

    private object Read(char code, ReadOnlySpan<byte> b) => code switch
    {
        'c' => (char)b[0],
        'b' => (sbyte)b[0],
        'B' => b[0],
        '?' => b[0] != 0,
        'h' => _littleEndian ? BinaryPrimitives.ReadInt16LittleEndian(b) : BinaryPrimitives.ReadInt16BigEndian(b),
        'H' => _littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b),
        'i' => _littleEndian ? BinaryPrimitives.ReadInt32LittleEndian(b) : BinaryPrimitives.ReadInt32BigEndian(b),
        'I' => _littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b),
        'l' when b.Length == 8 => _littleEndian ? BinaryPrimitives.ReadInt64LittleEndian(b) : BinaryPrimitives.ReadInt64BigEndian(b),
        'L' when b.Length == 8 => _littleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b),
        'l' => _littleEndian ? BinaryPrimitives.ReadInt32LittleEndian(b) : BinaryPrimitives.ReadInt32BigEndian(b),
        'L' => _littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b),
        'q' => _littleEndian ? BinaryPrimitives.ReadInt64LittleEndian(b) : BinaryPrimitives.ReadInt64BigEndian(b),
        'Q' => _littleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b),
        'e' => (double)(_littleEndian ? BinaryPrimitives.ReadHalfLittleEndian(b) : BinaryPrimitives.ReadHalfBigEndian(b)),
        'f' => (double)(_littleEndian ? BinaryPrimitives.ReadSingleLittleEndian(b) : BinaryPrimitives.ReadSingleBigEndian(b)),
        _ => _littleEndian ? BinaryPrimitives.ReadDoubleLittleEndian(b) : BinaryPrimitives.ReadDoubleBigEndian(b),
    };

    private void Write(char code, object? value, Span<byte> b)
    {
        switch (code)
        {
            case 'c':
                b[0] = AsBytes(value, code) is { Length: 1 } one ? one[0] : throw Wrong(code, value, "a single byte or character");
                break;
            case '?':
                b[0] = value is bool flag ? (byte)(flag ? 1 : 0) : (byte)(Integer(code, value, long.MinValue, ulong.MaxValue) != 0 ? 1 : 0);
                break;
            case 'e' or 'f' or 'd':
                double real = Real(code, value);
                if (double.IsFinite(real) && (code == 'e' ? Half.IsInfinity((Half)real) : code == 'f' && float.IsInfinity((float)real)))
                {
                    throw new StructFormatException($"Format '{code}' cannot hold {real.ToString(CultureInfo.InvariantCulture)}: it is too large for a {(code == 'e' ? 16 : 32)}-bit float (it would become infinity).");
                }
                if (code == 'e') { if (_littleEndian) BinaryPrimitives.WriteHalfLittleEndian(b, (Half)real); else BinaryPrimitives.WriteHalfBigEndian(b, (Half)real); }
                else if (code == 'f') { if (_littleEndian) BinaryPrimitives.WriteSingleLittleEndian(b, (float)real); else BinaryPrimitives.WriteSingleBigEndian(b, (float)real); }
                else { if (_littleEndian) BinaryPrimitives.WriteDoubleLittleEndian(b, real); else BinaryPrimitives.WriteDoubleBigEndian(b, real); }
                break;
            default:
                bool signed = char.IsLower(code);
                int bits = 8 * b.Length;
                long min = signed ? -(1L << (bits - 1)) : 0;
                ulong max = signed ? (1UL << (bits - 1)) - 1 : bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
                ulong raw = Integer(code, value, min, max);
                Span<byte> all = stackalloc byte[8];
                if (_littleEndian) { BinaryPrimitives.WriteUInt64LittleEndian(all, raw); all[..b.Length].CopyTo(b); }
                else { BinaryPrimitives.WriteUInt64BigEndian(all, raw); all[(8 - b.Length)..].CopyTo(b); }
                break;
        }
    }

    private static ulong Integer(char code, object? value, long min, ulong max)
    {
        decimal number;
        try
        {
            number = value switch
            {
                null => throw Wrong(code, value, "an integer"),
                char c => c,
                string s => decimal.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
                double or float when Convert.ToDouble(value, CultureInfo.InvariantCulture) % 1 != 0 => throw Wrong(code, value, "an integer"),
                _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw Wrong(code, value, "an integer");
        }
        if (number < min || number > max)
        {
            throw new StructFormatException($"Format '{code}' requires {min} <= number <= {max}, not {value}.");
        }
        return number < 0 ? unchecked((ulong)(long)number) : (ulong)number;
    }

    private static double Real(char code, object? value)
    {
        try
        {
            return Convert.ToDouble(value, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw Wrong(code, value, "a number");
        }
    }

    private static byte[] AsBytes(object? value, char code) => value switch
    {
        byte[] bytes => bytes,
        string text => Encoding.UTF8.GetBytes(text),
        char c => Encoding.UTF8.GetBytes(c.ToString()),
        byte b => [b],
        _ => throw Wrong(code, value, "bytes or a string"),
    };

    private static StructFormatException Wrong(char code, object? value, string expected) =>
        new($"Format '{code}' requires {expected}, not '{value}' ({value?.GetType().Name ?? "null"}).");
}
