using System;
using System.Buffers;
using System.IO;
using System.Threading;

namespace PsSockets;

/// <summary>Receiving into a stream (a file): any size, in constant memory.</summary>
public sealed partial class PsSocket
{
    private const int ReceiveChunk = 1024 * 1024;

    /// <summary>
    /// Writes exactly <paramref name="count"/> bytes, or everything up to the end of the stream when
    /// null, to <paramref name="destination"/>: buffered bytes first, then straight from the socket,
    /// never reading past <paramref name="count"/>. <paramref name="stallTimeout"/> limits each wait
    /// for the peer, not the whole transfer. Returns the bytes written.
    /// </summary>
    public long ReceiveToStream(Stream destination, long? count, TimeSpan? stallTimeout, CancellationToken token, Action<long>? progress = null)
    {
        long started = SocketCallLog.Start();
        try
        {
            return ReceiveIntoStream(destination, count, stallTimeout, token, progress);
        }
        catch (SocketOperationException e) when (ToldFailed($"recv(#{Id}, {(count is { } n ? $"{n} bytes" : "data up to the end of the stream")} into {(destination is FileStream file ? file.Name : "a stream")})", started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    private long ReceiveIntoStream(Stream destination, long? count, TimeSpan? stallTimeout, CancellationToken token, Action<long>? progress)
    {
        ThrowIfCannotReceive();
        using var turn = TakeReceiveTurn(stallTimeout, token);
        if (count != 0 && (_peerClosed || _receiveShutdown) && _buffer.Count == 0)
        {
            throw EndedEarly(Describe(count), string.Empty);
        }
        int fromBuffer = (int)Math.Min(_buffer.Count, count ?? long.MaxValue);
        destination.Write(_buffer.Span[..fromBuffer]);
        _buffer.Consume(fromBuffer);
        long written = fromBuffer;
        if (written > 0)
        {
            progress?.Invoke(written);
        }
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ReceiveChunk);
        try
        {
            while (count is null || written < count)
            {
                if (_peerClosed || _receiveShutdown)
                {
                    if (count is null)
                    {
                        break;
                    }
                    throw EndedEarly(Describe(count), $" The {written} bytes that did arrive were written out.");
                }
                int want = (int)Math.Min(chunk.Length, (count ?? long.MaxValue) - written);
                int received;
                using (var deadline = ReceiveDeadline(stallTimeout, token))
                {
                    try
                    {
                        received = ReceiveInto(chunk.AsMemory(0, want), deadline);
                    }
                    catch (SocketOperationException e)
                    {
                        throw new SocketOperationException(e.Failure, $"{e.Message} By then {written} bytes had been received and written out.", this, e.InnerException);
                    }
                }
                destination.Write(chunk, 0, received);
                written += received;
                if (received > 0)
                {
                    progress?.Invoke(written);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return written;
    }

    private static string Describe(long? count) => count is { } n ? $"{n} bytes" : "data up to the end of the stream";
}
