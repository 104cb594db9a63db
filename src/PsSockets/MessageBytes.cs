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

    /// <summary>The length prefix for a message of <paramref name="length"/> bytes, or MessageTooLarge when the prefix cannot hold it.</summary>
    public static byte[] Prefix(LengthPrefix prefix, long length, PsSocket socket) =>
        (ulong)length <= prefix.MaxLength
            ? prefix.Write((ulong)length)
            : throw new SocketOperationException(SocketFailure.MessageTooLarge,
                $"Cannot send a message of {length} bytes on {socket}: a {prefix.Describe()} length prefix holds at most {prefix.MaxLength}. Nothing was sent.", socket);

    /// <summary>Prefix, message and delimiter in one buffer, so a small message leaves in one send.</summary>
    public static byte[] Join(byte[] header, ReadOnlySpan<byte> data, byte[] trailer)
    {
        var whole = new byte[header.Length + data.Length + trailer.Length];
        header.CopyTo(whole, 0);
        data.CopyTo(whole.AsSpan(header.Length));
        trailer.CopyTo(whole, header.Length + data.Length);
        return whole;
    }
}
