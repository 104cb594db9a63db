using System.Text;

namespace PsSockets;

/// <summary>Bytes as a person can read them on one line: UTF-8 text, control characters escaped or dotted.</summary>
internal static class PrintableText
{
    public static string Of(byte[] data)
    {
        string text = Encoding.UTF8.GetString(data); // invalid bytes (binary data, a character split between chunks) become U+FFFD
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
