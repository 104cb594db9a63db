using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>
/// Reads what a peer sends until the expected text shows (an ordinal substring: 'SSH-2.0', '+PONG'), the peer
/// closes, <see cref="ConnectionCheckSettings.MaxResponseBytes"/> have come, or the caller's token ends it. With
/// nothing to expect, the first bytes that arrive are the answer.
/// </summary>
internal sealed class ResponseReader(string? expect, int maxBytes)
{
    private readonly StringBuilder _text = new();
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private int _bytes;

    public enum Ending
    {
        Found,
        PeerClosed,
        TooLong,
    }

    /// <summary>What arrived so far, as text.</summary>
    public string Text => _text.ToString();

    public bool Any => _bytes > 0;

    public int Bytes => _bytes;

    public async Task<Ending> ReadAsync(Stream stream, CancellationToken token)
    {
        var buffer = new byte[4096];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (true)
        {
            int room = Math.Min(buffer.Length, maxBytes - _bytes);
            if (room == 0)
            {
                return Ending.TooLong;
            }
            int read = await stream.ReadAsync(buffer.AsMemory(0, room), token).ConfigureAwait(false);
            if (read == 0)
            {
                return Ending.PeerClosed;
            }
            int searchFrom = expect is null ? 0 : Math.Max(0, _text.Length - expect.Length + 1);
            _bytes += read;
            int decoded = _decoder.GetChars(buffer, 0, read, chars, 0, flush: false);
            _text.Append(chars, 0, decoded);
            if (expect is null || _text.ToString(searchFrom, _text.Length - searchFrom).Contains(expect, StringComparison.Ordinal))
            {
                return Ending.Found;
            }
        }
    }

    /// <summary>What arrived, on one line with control characters escaped, shortened for an error message.</summary>
    public string Shown()
    {
        const int most = 120;
        string shown = PrintableText.Of(_text.ToString());
        return shown.Length > most ? $"'{shown[..most]}...' ({_bytes} bytes)" : $"'{shown}'";
    }
}
