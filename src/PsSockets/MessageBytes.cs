using System;
using System.Management.Automation;
using System.Text;

namespace PsSockets.Commands;

/// <summary>What PowerShell values mean as bytes on the wire.</summary>
internal static class MessageBytes
{
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>A delimiter given as a string (its UTF-8 bytes), a char, or bytes.</summary>
    public static byte[] Delimiter(object value)
    {
        var bytes = (value is PSObject pso ? pso.BaseObject : value) switch
        {
            byte[] b => b,
            string s => Utf8.GetBytes(s),
            char c => Utf8.GetBytes(c.ToString()),
            object[] items => LanguagePrimitives.ConvertTo<byte[]>(items),
            var other => Utf8.GetBytes(LanguagePrimitives.ConvertTo<string>(other)),
        };
        return bytes.Length > 0 ? bytes : throw new ArgumentException("A delimiter has at least one byte.", nameof(value));
    }
}
