using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using Xunit;

namespace PsSockets.Core.Tests.Hostile;

/// <summary>
/// The struct format parser (ConvertTo-/ConvertFrom-SocketBytes) under random and hostile formats: a clear
/// StructFormatException or a working format, never another exception, a hang or a big allocation; what it
/// packs unpacks to the same values. <see cref="StructFormatPythonProperties"/> holds it to Python's struct.
/// </summary>
public sealed class StructFormatProperties
{
    internal const string Codes = "xcbB?hHiIlLqQefds";

    /// <summary>A valid format: an optional byte order, then items with optional repeat counts.</summary>
    internal static readonly Gen<string> ValidFormat =
        Gen.Select(
            Gen.OneOf("", "@", "=", "<", ">", "!"),
            Gen.Select(Gen.Int[0, 4], Gen.Char[Codes], Gen.Bool, Gen.Bool)
                .Select((count, code, explicitCount, space) =>
                    (space ? " " : "") + (explicitCount || code == 's' ? (code == 's' ? count * 3 : count).ToString(System.Globalization.CultureInfo.InvariantCulture) : "") + code)
                .Array[0, 6])
        .Select((order, items) => order + string.Concat(items));

    /// <summary>Characters a format is made of, and some it must refuse.</summary>
    private static readonly Gen<string> HostileFormat = Gen.OneOf(
        Gen.String[Gen.Char["0123456789xcbB?hHiIlLqQefdspPnNZ@=<>! \t\0é-+."], 0, 24],
        Gen.Select(Gen.OneOf("", "!", "<", "@"), Gen.String[Gen.Char['0', '9'], 1, 22], Gen.Char[Codes + "pZ"])
            .Select((order, digits, code) => order + digits + code),
        Gen.String[0, 16]);

    [Theory]
    [InlineData("999999999999I")]
    [InlineData("99999999999999999999999q")]
    [InlineData("4294967296x")]
    [InlineData("2147483647s")]
    [InlineData("1000000000I")]
    [InlineData("!2000000000d2000000000d")]
    [InlineData("1000000000x")]
    [InlineData("@1073741823q")]
    [InlineData("3Z")]
    [InlineData("!-1I")]
    [InlineData("5")]
    public void HostileFormatsAreRefusedAtOnceWithoutAllocating(string format)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<StructFormatException>(() => new StructFormat(format));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64 * 1024);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Contains(format, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s", 0, 1)]
    [InlineData("!0I", 0, 0)]
    [InlineData("0x", 0, 0)]
    [InlineData("<1048576s", 1048576, 1)]
    public void EmptyAndLargeButSaneFormatsWork(string format, int size, int values)
    {
        var parsed = new StructFormat(format);
        Assert.Equal(size, parsed.ByteCount);
        Assert.Equal(values, parsed.ValueCount);
        Assert.Equal(size, parsed.Pack(Enumerable.Repeat<object?>(Array.Empty<byte>(), values).ToArray()).Length);
    }

    [Fact]
    public void AnyFormatStringIsAClearErrorOrAWorkingFormat()
    {
        HostileFormat.Sample(format =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            StructFormat parsed;
            try
            {
                parsed = new StructFormat(format);
            }
            catch (StructFormatException)
            {
                Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64 * 1024);
                return;
            }
            Assert.InRange(parsed.ByteCount, 0, StructFormat.MaxByteCount);
            Assert.InRange(parsed.ValueCount, 0, parsed.ByteCount + parsed.Text.Length);
            Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64 * 1024);
        }, iter: Runs.Of(20_000), threads: 1);
    }

    [Fact]
    public void WhatIsPackedUnpacksToTheSameValues()
    {
        Gen.Select(ValidFormat, Gen.ULong, Gen.Byte.Array[0, 12]).Sample((format, seed, bytes) =>
        {
            var parsed = new StructFormat(format);
            var random = new Random((int)seed);
            var values = StructValues.For(parsed, random, bytes);
            var packed = parsed.Pack(values);
            Assert.Equal(parsed.ByteCount, packed.Length);
            var unpacked = parsed.Unpack(packed);
            Assert.Equal(values.Length, unpacked.Length);
            for (int i = 0; i < values.Length; i++)
            {
                Assert.Equal(StructValues.AfterRoundTrip(StructValues.CodeOf(parsed, i), StructValues.WidthOf(parsed, i), values[i]), unpacked[i]);
            }
            Assert.Equal(packed, parsed.Pack(unpacked)); // and packs back to the same bytes
        }, iter: Runs.Of(5_000));
    }

    [Fact]
    public void RecordsOfTheWrongSizeAndValuesOfTheWrongKindAreClearErrors()
    {
        Gen.Select(ValidFormat, Gen.Byte.Array[0, 40], Gen.Int[0, 8]).Sample((format, record, extra) =>
        {
            var parsed = new StructFormat(format);
            if (record.Length != parsed.ByteCount)
            {
                Assert.Throws<StructFormatException>(() => parsed.Unpack(record));
            }
            else
            {
                Assert.Equal(parsed.ValueCount, parsed.Unpack(record).Length);
            }
            object?[] wrong = Enumerable.Range(0, parsed.ValueCount + extra)
                .Select(i => (i % 4) switch { 0 => "x", 1 => null, 2 => new object(), _ => (object?)double.NaN }).ToArray();
            try
            {
                parsed.Pack(wrong); // some fit ('c' takes "x", 'd' takes NaN): then it packs
            }
            catch (StructFormatException)
            {
            }
        }, iter: Runs.Of(5_000));
    }
}

/// <summary>Random values that fit each item of a format, and what they are after a round trip.</summary>
internal static class StructValues
{
    public static object?[] For(StructFormat format, Random random, byte[] bytes)
    {
        var values = new object?[format.ValueCount];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Value(CodeOf(format, i), WidthOf(format, i), random, bytes);
        }
        return values;
    }

    /// <summary>The code of the <paramref name="index"/>th value.</summary>
    public static char CodeOf(StructFormat format, int index) => Items(format)[index].Code;

    /// <summary>The byte width of the <paramref name="index"/>th value ('s' its count, 'l' 4 or 8).</summary>
    public static int WidthOf(StructFormat format, int index) => Items(format)[index].Width;

    private static List<(char Code, int Width)> Items(StructFormat format)
    {
        var items = new List<(char, int)>();
        string text = format.Text;
        int i = 0;
        bool native = text.Length == 0 || "@=<>!".IndexOf(text[0], StringComparison.Ordinal) < 0 || text[0] == '@';
        if (text.Length > 0 && "@=<>!".Contains(text[0], StringComparison.Ordinal))
        {
            i++;
        }
        while (i < text.Length)
        {
            if (text[i] == ' ')
            {
                i++;
                continue;
            }
            int start = i;
            while (char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            int count = i > start ? int.Parse(text.AsSpan(start, i - start), System.Globalization.CultureInfo.InvariantCulture) : 1;
            char code = text[i++];
            if (code == 's')
            {
                items.Add((code, count));
            }
            else if (code != 'x')
            {
                int width = code is 'l' or 'L' ? (native ? IntPtr.Size : 4) : 0;
                items.AddRange(Enumerable.Repeat((code, width), count));
            }
        }
        return items;
    }

    private static object? Value(char code, int width, Random random, byte[] bytes)
    {
        ulong bits = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
        return code switch
        {
            'c' => (char)random.Next(0, 128),
            'b' => (sbyte)bits,
            'B' => (byte)bits,
            '?' => (bits & 1) == 1,
            'h' => (short)bits,
            'H' => (ushort)bits,
            'i' => (int)bits,
            'I' => (uint)bits,
            'l' => width == 8 ? (long)bits : (object)(int)bits,
            'L' => width == 8 ? bits : (object)(uint)bits,
            'q' => (long)bits,
            'Q' => bits,
            'e' => (double)(Half)(random.NextDouble() * 200 - 100),
            'f' => (double)(float)(random.NextDouble() * 2e6 - 1e6),
            'd' => BitConverter.Int64BitsToDouble((long)bits) is var d && double.IsFinite(d) ? d : 0.5,
            _ => bytes.Take(random.Next(0, width + 3)).ToArray(), // 's': shorter, as long or longer than its count
        };
    }

    /// <summary>What <paramref name="value"/> unpacks as: its own type widened as Unpack returns it, bytes cut or padded.</summary>
    public static object AfterRoundTrip(char code, int width, object? value) => code switch
    {
        'c' => (char)value!,
        'l' when width == 4 => (int)value!,
        'L' when width == 4 => (uint)value!,
        'e' or 'f' or 'd' => (double)value!,
        's' => ((byte[])value!).Concat(new byte[width]).Take(width).ToArray(),
        _ => value!,
    };
}
