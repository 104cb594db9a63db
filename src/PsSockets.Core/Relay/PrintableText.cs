using System.Text;

namespace PsSockets;

/// <summary>Bytes as a person can read them on one line: UTF-8 text, control characters escaped or dotted.</summary>
internal static class PrintableText
{
    // Invalid bytes (binary data, a character split between chunks) become U+FFFD, shown as a dot.
    public static string Of(byte[] data) => Of(Encoding.UTF8.GetString(data));

    public static string Of(string text)
    {
        var shown = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            _ = c switch
            {
                '\r' => shown.Append("\\r"),
                '\n' => shown.Append("\\n"),
                '\t' => shown.Append("\\t"),
                '\uFFFD' => shown.Append('.'),
                _ when char.IsControl(c) => shown.Append('.'),
                _ => shown.Append(c),
            };
        }
        return shown.ToString();
    }
}
