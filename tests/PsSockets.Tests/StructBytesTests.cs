using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>ConvertTo-/ConvertFrom-SocketBytes against Python's own struct module.</summary>
public sealed class StructBytesTests(PsSession ps) : SocketTestBase(ps)
{
    private static string Python(string mode, string format, string arg)
    {
        using var tool = PythonPeer.Start("struct_tool.py", mode, format, arg);
        var line = tool.ReadLine(Seconds(20));
        Assert.Equal(0, tool.WaitForExit(Seconds(20)));
        return line;
    }

    [Theory]
    [InlineData("!HIq", "[1, 2, 3]")]
    [InlineData("<hHiIqQ", "[-2, 65535, -7, 4000000000, -9000000000000000000, 18446744073709551615]")]
    [InlineData(">bB?x3s", "[-128, 255, true, \"hex:616263\"]")]
    [InlineData("@bhiqlL", "[1, -2, 3, -4, 5, 6]")]
    [InlineData("=hcd", "[7, \"hex:41\", 2.5]")]
    [InlineData("!2H4s", "[1, 2, \"hex:00ff\"]")]
    [InlineData("<ef", "[1.5, -0.25]")]
    public void PackedBytesAreWhatPythonPacksAndUnpackBackToTheValues(string format, string json)
    {
        var values = JsonSerializer.Deserialize<JsonElement[]>(json)!.Select(ToPowerShellValue).ToArray();
        var expectedHex = Python("pack", format, json);

        var packed = Ps.Run("$f, $v = $args; ConvertTo-SocketBytes -Format $f -Value $v", format, values).Ok();
        var bytes = Assert.IsType<byte[]>(packed.Single);
        Assert.Equal(expectedHex, Convert.ToHexString(bytes).ToLowerInvariant());

        var unpacked = Ps.Run("$f, $b = $args; ConvertFrom-SocketBytes $f $b | ForEach-Object { if ($_ -is [byte[]]) { 'hex:' + [Convert]::ToHexString($_).ToLower() } else { $_ } }", format, bytes).Ok();
        var fromPython = JsonSerializer.Deserialize<JsonElement[]>(Python("unpack", format, expectedHex))!;
        Assert.Equal(fromPython.Length, unpacked.Output.Count);
        for (int i = 0; i < fromPython.Length; i++)
        {
            Assert.Equal(Normal(fromPython[i]), Normal(unpacked.Output[i].BaseObject));
        }
    }

    [Fact]
    public void BytesFromTheNetworkDecodeAndEncodedBytesSend()
    {
        var result = WithPair("""
            ConvertTo-SocketBytes '!HI' 7, 70000 | Send-SocketData $c
            $kind, $size = Receive-SocketData $s -Count 6 -AsByteArray | ConvertFrom-SocketBytes '!HI'
            $kind; $size
            """).Ok();
        Assert.Equal(new object?[] { (ushort)7, 70000u }, result.Values);
    }

    [Theory]
    [InlineData("ConvertTo-SocketBytes '!H' 70000", "InvalidStructValue,PsSockets.Commands.ConvertToSocketBytesCommand")]
    [InlineData("ConvertTo-SocketBytes '!HH' 1", "InvalidStructValue,PsSockets.Commands.ConvertToSocketBytesCommand")]
    [InlineData("ConvertTo-SocketBytes '!B' 'x'", "InvalidStructValue,PsSockets.Commands.ConvertToSocketBytesCommand")]
    [InlineData("ConvertFrom-SocketBytes '!I' ([byte[]](1, 2))", "InvalidStructRecord,PsSockets.Commands.ConvertFromSocketBytesCommand")]
    [InlineData("ConvertTo-SocketBytes '!Z' 1", "InvalidStructFormat,PsSockets.Commands.ConvertToSocketBytesCommand")]
    [InlineData("ConvertFrom-SocketBytes '!3' ([byte[]](1))", "InvalidStructFormat,PsSockets.Commands.ConvertFromSocketBytesCommand")]
    public void ValuesBytesAndFormatsThatDoNotFitAreClearErrors(string script, string errorId)
    {
        var result = Ps.Run(script);
        var error = result.Exception is IContainsErrorRecord c ? c.ErrorRecord : result.OnlyError;
        Assert.Equal(errorId, error.FullyQualifiedErrorId);
        Assert.Empty(result.Output);
    }

    private static object? ToPowerShellValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String when e.GetString()!.StartsWith("hex:", StringComparison.Ordinal) => Convert.FromHexString(e.GetString()![4..]),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when e.TryGetInt64(out var l) => l,
        JsonValueKind.Number when e.TryGetUInt64(out var u) => u,
        JsonValueKind.Number => e.GetDouble(),
        _ => e.ToString(),
    };

    /// <summary>One comparable form for a value from python's JSON and one from PowerShell.</summary>
    private static string Normal(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.True } => "True",
        JsonElement { ValueKind: JsonValueKind.False } => "False",
        JsonElement { ValueKind: JsonValueKind.String } s => s.GetString()!,
        JsonElement n => decimal.Parse(n.GetRawText(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture),
        char ch => "hex:" + ((int)ch).ToString("x2", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        string s => s,
        _ => Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
