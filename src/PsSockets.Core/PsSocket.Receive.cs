using System;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace PsSockets;

/// <summary>The receive side: every mode is a <see cref="Framing"/> over the one buffer.</summary>
public sealed partial class PsSocket
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Decodes a received message: UTF-8, invalid bytes become U+FFFD.</summary>
    internal delegate T Produce<T>(ReadOnlySpan<byte> message);

    internal static readonly Produce<byte[]> AsBytes = span => span.ToArray();
    internal static readonly Produce<string[]> AsHexDump = HexDump.Lines;
    internal static readonly Produce<string> AsUtf8Text = span => s_utf8.GetString(span);

    // Set when a receive gave up (timeout, would block) on buffered bytes that are not a whole message.
    private volatile bool _bufferWaitsForMore;

    /// <summary>The memory the receive buffer holds: what MaxMessageSize bounds.</summary>
    internal int BufferCapacity => _buffer.Capacity;

    /// <summary>Bytes are buffered and the last receive did not find them too few: a receive will return without the OS.</summary>
    internal bool HasReadableBuffer => (_buffer.Count > 0 && !_bufferWaitsForMore) || _tls is { HasReadable: true };

    /// <summary>UTF-8 without a BOM, invalid bytes decoded as U+FFFD: the default text encoding.</summary>
    public static System.Text.Encoding DefaultEncoding => s_utf8;

    /// <summary>Decodes with <paramref name="encoding"/>; the UTF-8 default needs no closure.</summary>
    internal static Produce<string> AsText(System.Text.Encoding encoding) =>
        ReferenceEquals(encoding, s_utf8) ? AsUtf8Text : span => encoding.GetString(span);

    /// <summary>What is there now: buffered bytes, else one recv (at most <paramref name="max"/> bytes).</summary>
    public byte[] ReceiveAvailable(int max, bool peek, TimeSpan? timeout, CancellationToken token) =>
        Receive(new AvailableFraming(max, text: null), peek, timeout, token, AsBytes);

    /// <summary>Like <see cref="ReceiveAvailable"/>, as text that never ends inside a character.</summary>
    public string ReceiveAvailableText(int max, bool peek, TimeSpan? timeout, CancellationToken token, System.Text.Encoding? encoding = null) =>
        Receive(new AvailableFraming(max, encoding ?? s_utf8), peek, timeout, token, AsText(encoding ?? s_utf8));

    /// <summary>
    /// Receives one message as <paramref name="framing"/> delimits it. Bytes past the message stay
    /// buffered; on timeout or stop nothing already received is lost.
    /// </summary>
    internal T Receive<T>(Framing framing, bool peek, TimeSpan? timeout, CancellationToken token, Produce<T> produce, int? maxMessageSize = null)
    {
        long started = SocketCallLog.Start();
        try
        {
            return ReceiveFramed(framing, peek, timeout, token, produce, maxMessageSize);
        }
        catch (SocketOperationException e) when (ToldFailed($"recv(#{Id}, {framing.Describe()})", started, e, timeout))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    private T ReceiveFramed<T>(Framing framing, bool peek, TimeSpan? timeout, CancellationToken token, Produce<T> produce, int? maxMessageSize)
    {
        int limit = maxMessageSize ?? MaxMessageSize;
        ThrowIfCannotReceive();
        framing.Reset();
        if (framing.SizeHint(ReadOnlySpan<byte>.Empty) > limit)
        {
            throw new SocketOperationException(SocketFailure.MessageTooLarge,
                $"Cannot receive {framing.Describe()} from {this}: more than MaxMessageSize ({limit}); raise MaxMessageSize to allow it.", this);
        }
        // A receive that starts after the end of stream was reached and drained has nothing to
        // return: that is an error every time, never an empty success a loop would spin on.
        using var turn = TakeReceiveTurn(timeout, token);
        bool endedBefore = (_peerClosed || _receiveShutdown) && _buffer.Count == 0;
        Deadline deadline = default;
        bool waiting = false;
        try
        {
            while (true)
            {
                var frame = framing.Find(_buffer.Span);
                if (frame is null && (_peerClosed || _receiveShutdown))
                {
                    frame = endedBefore ? null : framing.AtEnd(_buffer.Span);
                    if (frame is null)
                    {
                        // Closed under us on another thread: the peer's goodbye (its answer to our close_notify) may have come first.
                        throw IsClosed ? new SocketOperationException(SocketFailure.SocketClosed, $"Cannot receive from {this}: it was closed.", this) : EndedEarly(framing);
                    }
                }
                if (frame is { } f)
                {
                    var message = produce(_buffer.Span.Slice(f.Start, f.Length));
                    if (!peek)
                    {
                        NoteMessage(f.Consumed);
                        _buffer.Consume(f.Consumed);
                    }
                    return message;
                }
                // Framings that know how much is left (a count, a length prefix) were checked against the limit already.
                if (_buffer.Count >= limit && framing.SizeHint(_buffer.Span) <= 0)
                {
                    throw new SocketOperationException(SocketFailure.MessageTooLarge,
                        $"Cannot receive {framing.Describe()} from {this}: {_buffer.Count} bytes arrived without completing it, more than MaxMessageSize ({limit}). The bytes stay buffered.", this);
                }
                if (!waiting)
                {
                    deadline = ReceiveDeadline(timeout, token);
                    waiting = true;
                }
                ReceiveOnce(framing.SizeHint(_buffer.Span), limit, deadline);
            }
        }
        catch (SocketOperationException e) when (e.Failure is SocketFailure.WouldBlock or SocketFailure.OperationTimeout)
        {
            // What is buffered is not a whole message: Select-Socket waits for more instead of calling it readable.
            _bufferWaitsForMore = _buffer.Count > 0;
            throw;
        }
        finally
        {
            deadline.Dispose();
        }
    }

    private void ReceiveOnce(int sizeHint, int limit, in Deadline deadline)
    {
        int want = Math.Min(sizeHint, limit);
        if ((long)_buffer.Count + want > Array.MaxLength)
        {
            // Only within a limit near 2 GiB (-MaxMessageSize 2147483647): the message would not fit in one array.
            throw new SocketOperationException(SocketFailure.MessageTooLarge,
                $"Cannot receive {_buffer.Count + (long)want} bytes from {this} as one message: more than one message in memory can hold (2 GiB). The {_buffer.Count} bytes buffered stay buffered.", this);
        }
        if (_tls is not null)
        {
            want = Math.Max(want, TlsChannel.RecordPlaintext); // a whole record at once: the rest stays buffered here, where Select-Socket sees it
        }
        int received = ReceiveInto(_buffer.GetWritable(want, limit), deadline);
        _buffer.Commit(received);
    }

    /// <summary>One recv into <paramref name="space"/> (through TLS on a TLS socket), counted; 0 marks the peer closed.</summary>
    private int ReceiveInto(Memory<byte> space, in Deadline deadline)
    {
        ThrowIfFailedOrConnecting("receive from");
        int received;
        try
        {
            received = _tls is { } tls ? tls.Read(space.Span, deadline) : ReceiveFromOs(space.Span, deadline);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or System.IO.IOException)
        {
            var failure = Translate(e, deadline, "receive from");
            throw _tls is not null && failure.Failure is SocketFailure.TlsHandshakeFailed or SocketFailure.TlsFailed ? TlsBroken(failure) : failure;
        }
        if (received == 0)
        {
            _peerClosed = true;
        }
        _bufferWaitsForMore = false;
        Interlocked.Add(ref _bytesReceived, received);
        CountReceive(space.Span[..received]);
        return received;
    }

    /// <summary>
    /// poll(2) then a recv that cannot block: the thread sleeps in the kernel and wakes straight to the data,
    /// about twice as fast per round trip as ReceiveAsync's trip through the epoll thread, and the wait still
    /// ends on a timeout or Ctrl+C. Throws what the OS said; 0 when the peer closed.
    /// </summary>
    private int ReceiveFromOs(Span<byte> space, in Deadline deadline)
    {
        int received;
        SocketError error;
        do
        {
            WaitUntil(SelectMode.SelectRead, deadline);
            using var nonBlocking = new NonBlockingScope(this);
            received = Socket.Receive(space, SocketFlags.None, out error);
        }
        while (error == SocketError.WouldBlock); // another reader took the bytes after the poll: wait again
        return error == SocketError.Success ? received : throw new SocketException((int)error);
    }

    private void ThrowIfCannotReceive()
    {
        ThrowIfClosed();
        if (_buffer.Count == 0)
        {
            ThrowIfFailedOrConnecting("receive from"); // with bytes buffered, a failed socket still hands them out (ReceiveInto stops at the OS)
        }
        if (_listening)
        {
            throw new SocketOperationException(SocketFailure.NotConnected, $"Cannot receive on {this}: it is a listener; accept a connection first.", this);
        }
        if (IsDatagram)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"Cannot receive a byte stream from {this}: it is a datagram socket, where each receive returns one whole datagram (Receive-SocketData with no -Count, -Line, -Delimiter, -LengthPrefix, -ToEnd or -OutFile).", this);
        }
    }

    private SocketOperationException EndedEarly(Framing framing)
    {
        string kept = _buffer.Count switch
        {
            0 => string.Empty,
            1 => " The 1 byte that did arrive stays buffered.",
            int n => $" The {n} bytes that did arrive stay buffered.",
        };
        int missing = framing.SizeHint(_buffer.Span);
        return EndedEarly(framing.Describe(), missing > 0 ? $"{kept} It needed {missing} more byte{(missing == 1 ? "" : "s")}." : kept);
    }

    private SocketOperationException EndedEarly(string what, string afterwards)
    {
        string why = _peerClosed ? "the peer closed the connection (end of stream)" : "receiving was shut down on this socket";
        return new SocketOperationException(SocketFailure.PeerClosed, $"Cannot receive {what} from {this}: {why}.{afterwards}", this);
    }
}
