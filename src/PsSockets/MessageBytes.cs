using System;
using System.Management.Automation;
using System.Text;

namespace PsSockets.Commands;

/// <summary>What PowerShell values mean as bytes on the wire.</summary>
internal static class MessageBytes
{
    /// <summary>A delimiter given as a string or char (in the given encoding), or bytes.</summary>
    public static byte[] Delimiter(object value, Encoding encoding)
    {
        var bytes = (value is PSObject pso ? pso.BaseObject : value) switch
        {
            byte[] b => b,
            string s => encoding.GetBytes(s),
            char c => encoding.GetBytes(c.ToString()),
            object[] items => LanguagePrimitives.ConvertTo<byte[]>(items),
            var other => encoding.GetBytes(LanguagePrimitives.ConvertTo<string>(other)),
        };
        return bytes.Length > 0 ? bytes : throw new ArgumentException("A delimiter has at least one byte.", nameof(value));
    }

    /// <summary>A request or message as bytes: byte[] as is, anything else as its text in <paramref name="encoding"/>.</summary>
    public static byte[] Payload(object value, Encoding encoding) => (value is PSObject pso ? pso.BaseObject : value) switch
    {
        byte[] b => b,
        string s => encoding.GetBytes(s),
        object[] items when Array.TrueForAll(items, i => (i is PSObject p ? p.BaseObject : i) is byte) => LanguagePrimitives.ConvertTo<byte[]>(items),
        var other => encoding.GetBytes(LanguagePrimitives.ConvertTo<string>(other)),
    };
}
