using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PsSockets;

/// <summary>The reverse of <see cref="EscapedText"/>: the bytes an escaped text stands for, for traces whose bytes did not survive a round trip.</summary>
public static class EscapedTextBytes
{
    /// <summary>The bytes <paramref name="text"/> shows; null when it is not escaped text (a lone backslash, a bad \x).</summary>
    public static byte[]? Parse(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\')
            {
                if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int chars) != System.Buffers.OperationStatus.Done)
                {
                    return null; // a lone surrogate: no bytes were ever shown so
                }
                bytes.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
                i += chars - 1;
                continue;
            }
            if (++i >= text.Length)
            {
                return null;
            }
            switch (text[i])
            {
                case 'r': bytes.Add((byte)'\r'); break;
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case 'x' when i + 2 < text.Length && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b):
                    bytes.Add(b);
                    i += 2;
                    break;
                default: return null;
            }
        }
        return [.. bytes];
    }
}
