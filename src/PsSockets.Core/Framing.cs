using System;

namespace PsSockets;

/// <summary>Where a message is in the buffered bytes: its start and length, and how much to consume.</summary>
internal readonly record struct Frame(int Length, int Consumed, int Start = 0);

/// <summary>
/// A way to find one message in a byte stream. Every receive mode is one of these over the
/// socket's one <see cref="ReceiveBuffer"/>, so bytes past a message are never lost.
/// </summary>
internal abstract class Framing
{
    /// <summary>The message at the start of <paramref name="buffered"/>, or null while it is incomplete.</summary>
    public abstract Frame? Find(ReadOnlySpan<byte> buffered);

    /// <summary>The last message once the peer has closed, or null when the stream ended mid-message.</summary>
    public abstract Frame? AtEnd(ReadOnlySpan<byte> buffered);

    /// <summary>Bytes the buffer must be able to take before this message can complete.</summary>
    public virtual int SizeHint(ReadOnlySpan<byte> buffered) => 0;

    /// <summary>What the message is, for errors ("5 bytes", "a line").</summary>
    public abstract string Describe();

    /// <summary>Forgets what was learnt about the buffer, before each receive: one framing serves message after message.</summary>
    public virtual void Reset()
    {
    }
}

/// <summary>What is there now: the buffered bytes, or one recv's worth (at most <c>max</c>); as text, never ending inside a character.</summary>
internal sealed class AvailableFraming(int max, System.Text.Encoding? text) : Framing
{
    public override Frame? Find(ReadOnlySpan<byte> buffered)
    {
        if (buffered.IsEmpty)
        {
            return null;
        }
        int length = Math.Min(buffered.Length, max);
        if (text is not null)
        {
            // Never end inside a character; when even one character is longer than max, return that one.
            int whole = Utf8Boundary.CompletePrefixLength(text, buffered[..length]);
            for (int wider = length + 1; whole == 0 && wider <= Math.Min(buffered.Length, length + 3); wider++)
            {
                whole = Utf8Boundary.CompletePrefixLength(text, buffered[..wider]);
            }
            length = whole;
        }
        return length == 0 ? null : new Frame(length, length);
    }

    public override Frame? AtEnd(ReadOnlySpan<byte> buffered) =>
        buffered.IsEmpty ? null : Find(buffered) ?? new Frame(buffered.Length, buffered.Length);

    public override string Describe() => "data";
}

/// <summary>Exactly <c>count</c> bytes.</summary>
internal sealed class CountFraming(int count) : Framing
{
    public override Frame? Find(ReadOnlySpan<byte> buffered) =>
        buffered.Length >= count ? new Frame(count, count) : null;

    public override Frame? AtEnd(ReadOnlySpan<byte> buffered) => count == 0 ? new Frame(0, 0) : null;

    public override int SizeHint(ReadOnlySpan<byte> buffered) => count - buffered.Length;

    public override string Describe() => $"{count} bytes";
}

/// <summary>
/// Up to a delimiter, which is consumed and not returned. A line is the newline of its encoding,
/// with one carriage return before it (<c>stripBefore</c>) dropped too. Text in a wide encoding
/// (UTF-16, UTF-32) is matched only on whole code units (<c>alignment</c>): the bytes of U+0A41
/// U+4100 in UTF-16LE hold 0A 00, a newline's bytes, across the two characters.
/// </summary>
internal sealed class DelimiterFraming(byte[] delimiter, byte[]? stripBefore, int alignment = 1) : Framing
{
    private int _searched; // bytes already known not to start a delimiter, so a slow peer costs O(n), not O(n^2)

    /// <summary>A line in <paramref name="encoding"/>: up to "\n", an optional "\r" before it stripped.</summary>
    public static DelimiterFraming Line(System.Text.Encoding encoding) => new(encoding.GetBytes("\n"), encoding.GetBytes("\r"), CodeUnit(encoding));

    /// <summary>The bytes of one code unit of <paramref name="encoding"/>: 2 for UTF-16, 4 for UTF-32, 1 for the rest.</summary>
    public static int CodeUnit(System.Text.Encoding encoding) => encoding.CodePage switch
    {
        1200 or 1201 => 2,
        12000 or 12001 => 4,
        _ => 1,
    };

    public override Frame? Find(ReadOnlySpan<byte> buffered)
    {
        int from = Math.Max(0, _searched - delimiter.Length + 1);
        while (true)
        {
            int index = buffered[from..].IndexOf(delimiter);
            if (index < 0)
            {
                _searched = buffered.Length;
                return null;
            }
            index += from;
            if (index % alignment == 0)
            {
                return new Frame(WithoutStripped(buffered[..index]), index + delimiter.Length);
            }
            from = index + 1; // the delimiter's bytes across two code units: not a delimiter
        }
    }

    public override Frame? AtEnd(ReadOnlySpan<byte> buffered) =>
        buffered.IsEmpty ? null : new Frame(WithoutStripped(buffered), buffered.Length); // the last line needs no terminator, as in readline()

    public override string Describe() => stripBefore is null ? "a delimited message" : "a line";

    public override void Reset() => _searched = 0;

    private int WithoutStripped(ReadOnlySpan<byte> message) =>
        stripBefore is { Length: > 0 } strip && message.EndsWith(strip) ? message.Length - strip.Length : message.Length;
}

/// <summary>Everything until the peer shuts down its sending side.</summary>
internal sealed class ToEndFraming : Framing
{
    public override Frame? Find(ReadOnlySpan<byte> buffered) => null;

    public override Frame? AtEnd(ReadOnlySpan<byte> buffered) => new Frame(buffered.Length, buffered.Length);

    public override string Describe() => "data up to the end of the stream";
}

/// <summary>A length prefix, then that many bytes. A length above the limit fails before anything is allocated or consumed.</summary>
internal sealed class LengthPrefixFraming(LengthPrefix prefix, int maxMessageSize, object? target) : Framing
{
    public override Frame? Find(ReadOnlySpan<byte> buffered)
    {
        if (buffered.Length < prefix.Size)
        {
            return null;
        }
        int length = MessageLength(buffered[..prefix.Size]);
        int total = prefix.Size + length;
        return buffered.Length >= total ? new Frame(length, total, prefix.Size) : null;
    }

    public override Frame? AtEnd(ReadOnlySpan<byte> buffered) => null;

    public override int SizeHint(ReadOnlySpan<byte> buffered) => Needed(buffered) - buffered.Length;

    public override string Describe() => $"a message with a {prefix.Describe()} length prefix";

    /// <summary>How much the buffer must hold for the message whose prefix is in <paramref name="buffered"/>.</summary>
    private int Needed(ReadOnlySpan<byte> buffered) =>
        buffered.Length < prefix.Size ? prefix.Size : prefix.Size + MessageLength(buffered[..prefix.Size]);

    private int MessageLength(ReadOnlySpan<byte> header)
    {
        ulong length = prefix.Read(header) ?? throw new SocketOperationException(SocketFailure.InvalidLengthPrefix,
            $"Cannot receive {Describe()}: the {prefix.Size} bytes where the prefix should be are not all ASCII digits. "
            + "Nothing was consumed: Receive-SocketData -Peek -AsHexDump shows what came.", target); // never the bytes themselves: they may be anyone's payload
        if (length > (ulong)maxMessageSize)
        {
            throw new SocketOperationException(SocketFailure.MessageTooLarge,
                $"Cannot receive {Describe()}: the peer announced {length} bytes, more than MaxMessageSize ({maxMessageSize}). Nothing was consumed or allocated.", target);
        }
        if (length > (ulong)(Array.MaxLength - prefix.Size))
        {
            // Within a MaxMessageSize near 2 GiB, but the prefix and the message would not fit in one array (prefix + length overflowed).
            throw new SocketOperationException(SocketFailure.MessageTooLarge,
                $"Cannot receive {Describe()}: the peer announced {length} bytes, more than one message in memory can hold. Nothing was consumed or allocated.", target);
        }
        return (int)length;
    }
}
