using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using CsCheck;
using Xunit;

namespace PsSockets.Core.Tests.Hostile;

/// <summary>
/// Random formats and values packed and unpacked by StructFormat and by Python's struct module in the same
/// run (one python3 process answers every case): the same bytes, the same values, and an error where Python
/// refuses. Values sit near and past each type's limits, so range errors are compared too.
/// </summary>
public sealed class StructFormatPythonProperties
{
    /// <summary>One case: a format, the values to pack (tagged as struct_tool.py reads them), and a record to unpack.</summary>
    private sealed record Case(string Format, object?[] Values, string[] Tagged, byte[] Record);

    [Fact]
    public void PacksAndUnpacksAsPythonsStructDoes()
    {
        var cases = new List<Case>();
        Gen.Select(StructFormatProperties.ValidFormat, Gen.Int, Gen.Byte.Array[0, 64])
            .Sample((format, seed, noise) => cases.Add(Make(format, new Random(seed), noise)), iter: Runs.Of(400), threads: 1);

        var requests = cases.SelectMany(c => new object[]
        {
            new { op = "pack", fmt = c.Format, values = c.Tagged },
            new { op = "unpack", fmt = c.Format, hex = Convert.ToHexString(c.Record) },
        }).Select(r => JsonSerializer.Serialize(r));
        var answers = Python(requests);
        Assert.Equal(cases.Count * 2, answers.Count);

        var mismatches = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            string ours = Pack(c);
            string theirs = answers[2 * i].TryGetProperty("hex", out var hex) ? hex.GetString()! : "error";
            if (ours != theirs)
            {
                mismatches.Add($"pack '{c.Format}' [{string.Join(", ", c.Tagged)}]: ours {ours}, Python {theirs} {answers[2 * i]}");
            }
            string oursUnpacked = Unpack(c);
            string theirsUnpacked = answers[2 * i + 1].TryGetProperty("values", out var values)
                ? string.Join(" ", values.EnumerateArray().Select(v => NaNAsOne(v.GetString()!))) : "error";
            if (oursUnpacked != theirsUnpacked)
            {
                mismatches.Add($"unpack '{c.Format}' {Convert.ToHexString(c.Record)}: ours {oursUnpacked}, Python {theirsUnpacked}");
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
    }

    [Theory]
    [InlineData("f")]
    [InlineData("@f")]
    [InlineData("=f")]
    [InlineData("e")]
    public void ANativeFloatTooLargeIsRefusedToo(string format)
    {
        Assert.Throws<StructFormatException>(() => new StructFormat(format).Pack([1e39]));
        Assert.Equal(8, new StructFormat("<d").Pack([1e39]).Length); // a double holds it
    }

    private static string Pack(Case c)
    {
        try
        {
            return Convert.ToHexString(new StructFormat(c.Format).Pack(c.Values)).ToLowerInvariant();
        }
        catch (StructFormatException)
        {
            return "error";
        }
    }

    private static string Unpack(Case c)
    {
        try
        {
            return string.Join(" ", new StructFormat(c.Format).Unpack(c.Record).Select(v => NaNAsOne(Tag(v))));
        }
        catch (StructFormatException)
        {
            return "error";
        }
    }

    private static Case Make(string format, Random random, byte[] noise)
    {
        var parsed = new StructFormat(format);
        var values = new List<object?>();
        var tagged = new List<string>();
        for (int i = 0; i < parsed.ValueCount; i++)
        {
            bool native = format.Length == 0 || format[0] is not ('=' or '<' or '>' or '!');
            var (value, tag) = Value(StructValues.CodeOf(parsed, i), StructValues.WidthOf(parsed, i), random, noise, native);
            values.Add(value);
            tagged.Add(tag);
        }
        // Now and then one value too many or too few: both refuse.
        if (random.Next(20) == 0)
        {
            if (values.Count > 0 && random.Next(2) == 0)
            {
                values.RemoveAt(values.Count - 1);
                tagged.RemoveAt(tagged.Count - 1);
            }
            else
            {
                values.Add(1m);
                tagged.Add("i:1");
            }
        }
        var record = new byte[parsed.ByteCount + (random.Next(25) == 0 ? 1 : 0)];
        random.NextBytes(record);
        return new Case(format, values.ToArray(), tagged.ToArray(), record);
    }

    private static (object? Value, string Tag) Value(char code, int width, Random random, byte[] noise, bool native)
    {
        switch (code)
        {
            case 's':
                var bytes = noise.Take(random.Next(0, width + 3)).ToArray();
                return (bytes, "x:" + Convert.ToHexString(bytes));
            case 'c':
                var one = noise.Take(random.Next(8) == 0 ? 2 : 1).DefaultIfEmpty((byte)'A').ToArray();
                return (one, "x:" + Convert.ToHexString(one));
            case '?':
                return random.Next(3) switch
                {
                    0 => (true, "b:1"),
                    1 => (false, "b:0"),
                    _ => Integer(random.Next(-2, 3)),
                };
            case 'e' or 'f' or 'd':
                double limit = code == 'e' ? 65504 : code == 'f' ? float.MaxValue : double.MaxValue;
                double real = random.Next(6) switch
                {
                    // Past the type's range Python refuses, except for 'd', and for a native 'f', which Python 3.11 packs as
                    // infinity (its standard 'f' refuses): StructFormat refuses both, see ANativeFloatTooLargeIsRefusedToo.
                    0 => code == 'f' && native ? limit : limit * (1 + random.NextDouble()),
                    1 => -limit,
                    2 => double.PositiveInfinity,
                    3 => random.Next(-3, 4) / 4.0,
                    _ => (random.NextDouble() - 0.5) * Math.Min(limit, 1e6),
                };
                return (real, "d:" + BitConverter.DoubleToInt64Bits(real).ToString("x16", CultureInfo.InvariantCulture));
            default:
                int bits = 8 * (code is 'b' or 'B' ? 1 : code is 'h' or 'H' ? 2 : code is 'i' or 'I' ? 4 : code is 'l' or 'L' ? width : 8);
                bool signed = char.IsLower(code);
                decimal min = signed ? -(decimal)Math.Pow(2, bits - 1) : 0;
                decimal max = signed ? (decimal)Math.Pow(2, bits - 1) - 1 : (decimal)Math.Pow(2, bits) - 1;
                decimal value = random.Next(8) switch
                {
                    0 => min - 1,
                    1 => max + 1,
                    2 => min,
                    3 => max,
                    _ => Math.Floor(min + (max - min) * (decimal)random.NextDouble()),
                };
                return Integer(value);
        }
    }

    private static (object?, string) Integer(decimal value) => (value, "i:" + value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A value as struct_tool.py tags it; a 'c' comes back as its byte, as Python's bytes of length 1.</summary>
    private static string Tag(object value) => value switch
    {
        bool b => b ? "b:1" : "b:0",
        char c => "x:" + ((byte)c).ToString("x2", CultureInfo.InvariantCulture),
        byte[] bytes => "x:" + Convert.ToHexString(bytes).ToLowerInvariant(),
        double d => "d:" + BitConverter.DoubleToInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
        _ => "i:" + Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Every NaN as one: the sign and payload bits of a NaN differ between C's and .NET's conversions.</summary>
    private static string NaNAsOne(string tag) =>
        tag.StartsWith("d:", StringComparison.Ordinal) && double.IsNaN(BitConverter.Int64BitsToDouble(Convert.ToInt64(tag[2..], 16))) ? "d:nan" : tag;

    private static List<JsonElement> Python(IEnumerable<string> requests)
    {
        var start = new ProcessStartInfo("python3", ["-u", Path.Combine(AppContext.BaseDirectory, "peers", "struct_tool.py"), "batch"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEndAsync();
        var errors = python.StandardError.ReadToEndAsync();
        foreach (var request in requests)
        {
            python.StandardInput.WriteLine(request);
        }
        python.StandardInput.Close();
        Assert.True(python.WaitForExit(60_000), "struct_tool.py did not finish");
        Assert.True(python.ExitCode == 0, errors.Result);
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }
}
