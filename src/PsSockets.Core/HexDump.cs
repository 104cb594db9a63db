using System;
using System.Collections.Generic;
using System.Text;

namespace PsSockets;

/// <summary>The canonical hex view of bytes, line for line what <c>hexdump -C -v</c> prints.</summary>
public static class HexDump
{
    private const int BytesPerLine = 16;

    /// <summary>
    /// One line per 16 bytes: offset, the bytes in hex in two groups of eight, then the printable
    /// ASCII between bars; a last line holds the total length.
    /// </summary>
    public static string[] Lines(ReadOnlySpan<byte> data)
    {
        var lines = new List<string>(data.Length / BytesPerLine + 2);
        var line = new StringBuilder(80);
        for (int offset = 0; offset < data.Length; offset += BytesPerLine)
        {
            var row = data.Slice(offset, Math.Min(BytesPerLine, data.Length - offset));
            line.Clear().Append(offset.ToString("x8")).Append(' ');
            for (int i = 0; i < BytesPerLine; i++)
            {
                line.Append(i == 8 ? "  " : " ");
                line.Append(i < row.Length ? row[i].ToString("x2") : "  ");
            }
            line.Append("  |");
            foreach (byte b in row)
            {
                line.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }
            lines.Add(line.Append('|').ToString());
        }
        if (data.Length > 0)
        {
            lines.Add(data.Length.ToString("x8"));
        }
        return lines.ToArray();
    }
}
