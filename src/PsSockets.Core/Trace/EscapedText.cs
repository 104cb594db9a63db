using System;
using System.Text;

namespace PsSockets;

/// <summary>
/// Bytes as text that loses nothing: printable UTF-8 characters as they are, \r \n \t and \\ escaped, and every
/// other byte (a control byte, invalid UTF-8, a character cut at the end) as \xNN, as Python's repr of bytes shows it.
/// </summary>
public static class EscapedText
{
    public static string Of(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder(data.Length + 8);
        int i = 0;
        while (i < data.Length)
        {
            byte b = data[i];
            if (b < 0x80)
            {
                _ = b switch
                {
                    (byte)'\r' => text.Append("\\r"),
                    (byte)'\n' => text.Append("\\n"),
                    (byte)'\t' => text.Append("\\t"),
                    (byte)'\\' => text.Append("\\\\"),
                    >= 0x20 and < 0x7f => text.Append((char)b),
                    _ => text.Append("\\x").Append(b.ToString("x2")),
                };
                i++;
                continue;
            }
            if (Rune.DecodeFromUtf8(data[i..], out var rune, out int used) == System.Buffers.OperationStatus.Done
                && !Rune.IsControl(rune) && Rune.GetUnicodeCategory(rune) is not (System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.PrivateUse))
            {
                text.Append(rune.ToString());
                i += used;
            }
            else
            {
                text.Append("\\x").Append(b.ToString("x2"));
                i++;
            }
        }
        return text.ToString();
    }
}
