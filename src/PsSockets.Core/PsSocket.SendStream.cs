using System;
using System.Buffers;
using System.IO;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>Sending a stream or a file in constant memory: zero-copy with sendfile(2) for files on Linux, a copy otherwise.</summary>
public sealed partial class PsSocket
{
    private const int CopyChunk = 1024 * 1024;
    private const long SendFileCall = 16 * 1024 * 1024; // at most per call, so progress and Ctrl+C are seen often

    /// <summary>
    /// Sends <paramref name="stream"/> from its position: <paramref name="length"/> bytes, or to its
    /// end when null. <paramref name="stallTimeout"/> limits how long the peer may take no bytes,
    /// not the whole transfer. Returns the bytes sent.
    /// </summary>
    public long SendStream(Stream stream, long? length, TimeSpan? stallTimeout, CancellationToken token, Action<long>? progress = null)
    {
        long started = SocketCallLog.Start();
        try
        {
            return SendWholeStream(stream, length, stallTimeout, token, progress);
        }
        catch (SocketOperationException e) when (ToldFailed($"send(#{Id}, {(stream is FileStream file ? $"file {file.Name}" : "a stream")})", started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    private long SendWholeStream(Stream stream, long? length, TimeSpan? stallTimeout, CancellationToken token, Action<long>? progress)
    {
        ThrowIfCannotSend();
        using var turn = TakeSendTurn(stallTimeout, token);
        long sent = 0;
        if (_tls is null && stream is FileStream { CanSeek: true } file && OperatingSystem.IsLinux())
        {
            length ??= file.Length - file.Position;
            long start = file.Position;
            sent = SendFileZeroCopy(file, start, length.Value, stallTimeout, token, progress);
            file.Position = start + sent;
        }
        if (length is { } known && sent == known)
        {
            return sent;
        }
        byte[] chunk = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            return CopyStream(stream, chunk, sent, length, stallTimeout, token, progress);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private long CopyStream(Stream stream, byte[] chunk, long sent, long? length, TimeSpan? stallTimeout, CancellationToken token, Action<long>? progress)
    {
        while (length is null || sent < length)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, (length ?? long.MaxValue) - sent));
            if (read == 0)
            {
                if (length is null)
                {
                    break;
                }
                throw StreamEndedEarly(stream, sent, length.Value);
            }
            SendAll(chunk.AsMemory(0, read), stallTimeout, token, progress, sent, length);
            sent += read;
        }
        return sent;
    }

    /// <summary>sendfile until done; stops early (returning what went) when the OS cannot sendfile this pair.</summary>
    private long SendFileZeroCopy(FileStream file, long start, long length, TimeSpan? stallTimeout, CancellationToken token, Action<long>? progress)
    {
        long sent = 0;
        try
        {
            using var nonBlocking = new NonBlockingScope(this); // sendfile must return when the send buffer is full, so the wait can time out
            while (sent < length)
            {
                token.ThrowIfCancellationRequested();
                long n = LinuxSendFile.Send(Socket.SafeHandle, file.SafeFileHandle, start + sent, Math.Min(length - sent, SendFileCall), out int errno);
                if (n > 0)
                {
                    sent += n;
                    Interlocked.Add(ref _bytesSent, n);
                    CountSendFile(n);
                    progress?.Invoke(sent);
                }
                else if (n == 0)
                {
                    throw StreamEndedEarly(file, sent, length);
                }
                else if (errno == LinuxSendFile.EAGAIN)
                {
                    WaitUntilWritable(stallTimeout, token, sent, length);
                }
                else if (LinuxSendFile.Unsupported(errno) && sent == 0)
                {
                    return 0;
                }
                else if (errno != LinuxSendFile.EINTR)
                {
                    var failure = OsFailure(LinuxSendFile.ToSocketException(errno), "send to");
                    throw SendFailed(failure, sent, length);
                }
            }
            return sent;
        }
        catch (ObjectDisposedException e)
        {
            throw SendFailed(new SocketOperationException(SocketFailure.SocketClosed, $"Cannot send to {this}: it was closed.", this, e), sent, length);
        }
    }

    private void WaitUntilWritable(TimeSpan? stallTimeout, CancellationToken token, long sent, long length)
    {
        using var deadline = SendDeadline(stallTimeout, token);
        try
        {
            WaitUntil(SelectMode.SelectWrite, deadline);
        }
        catch (OperationCanceledException e)
        {
            throw SendFailed(Translate(e, deadline, "send to"), sent, length);
        }
    }

    private SocketOperationException StreamEndedEarly(Stream stream, long sent, long length) =>
        new(SocketFailure.InvalidArgument,
            $"Cannot send {(stream is FileStream f ? f.Name : "the stream")} on {this}: it ended after {sent} of the {length} bytes it had when the send began. Those {sent} bytes were sent.", this);
}
