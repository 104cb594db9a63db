using System;

namespace PsSockets;

/// <summary>An HTTP response head: up to and with the blank line (CRLF CRLF, or a bare LF LF from a lax server).</summary>
internal sealed class HttpHeadFraming : Framing
{
    public override Frame? Find(ReadOnlySpan<byte> buffered)
    {
        int crlf = buffered.IndexOf("\r\n\r\n"u8);
        int lf = buffered.IndexOf("\n\n"u8);
        int end = (crlf, lf) switch
        {
            (< 0, < 0) => -1,
            (< 0, _) => lf + 2,
            (_, < 0) => crlf + 4,
            _ => Math.Min(crlf + 4, lf + 2),
        };
        return end < 0 ? null : new Frame(end, end);
    }

    public override Frame? AtEnd(ReadOnlySpan<byte> buffered) => null;

    public override string Describe() => "an HTTP response head";
}
