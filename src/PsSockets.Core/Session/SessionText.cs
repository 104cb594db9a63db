using System;
using System.Collections.Generic;
using System.Text;

namespace PsSockets;

/// <summary>Deciding whether arrived bytes are text to print or binary to show as a hex dump, and line framing for sends.</summary>
public static class SessionText
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// True when the bytes would not print as themselves on a terminal: invalid UTF-8 (for a UTF-8 session), or a
    /// control byte other than \r \n \t (an escape sequence from the peer could rewrite the user's screen).
    /// </summary>
    public static bool IsBinary(ReadOnlySpan<byte> data, Encoding encoding)
    {
        foreach (byte b in data)
        {
            if (b is < 0x20 and not ((byte)'\r' or (byte)'\n' or (byte)'\t') || b == 0x7f)
            {
                return true;
            }
        }
        if (encoding.CodePage != 65001)
        {
            return false;
        }
        try
        {
            string text = s_strictUtf8.GetString(data);
            foreach (char c in text)
            {
                if (c is >= '\u0080' and <= '\u009f') // C1 controls, as harmful as their 7-bit forms
                {
                    return true;
                }
            }
            return false;
        }
        catch (DecoderFallbackException)
        {
            return true;
        }
    }

    /// <summary>The bytes one typed line is sent as: the line, then the newline (both in <paramref name="encoding"/>).</summary>
    public static byte[] Line(string line, string newLine, Encoding encoding) => encoding.GetBytes(line + newLine);

    /// <summary>Text cut at its newlines (\r\n or \n); a last line without a newline counts, an empty end does not.</summary>
    public static string[] SplitLines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                int end = i > start && text[i - 1] == '\r' ? i - 1 : i;
                lines.Add(text[start..end]);
                start = i + 1;
            }
        }
        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }
        return lines.ToArray();
    }

    /// <summary>
    /// A -NewLine argument by name (LF, CRLF, CR, NUL) or as the string itself, so `-NewLine CRLF` reads as it is said.
    /// </summary>
    public static string NewLineNamed(string value) => value.ToUpperInvariant() switch
    {
        "LF" => "\n",
        "CRLF" => "\r\n",
        "CR" => "\r",
        "NUL" => "\0",
        _ => value,
    };
}
