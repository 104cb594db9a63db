using System;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>The send side: sendall, once.</summary>
public sealed partial class PsSocket
{
    private readonly object _blockingGate = new();
    private int _nonBlockingUsers;
    private bool _restoreBlocking;

    /// <summary>Sends every byte (the seeds' partial-send loop), or fails saying how many went out.</summary>
    /// <param name="progress">Told the running total after each send, on the calling thread.</param>
    public void Send(ReadOnlyMemory<byte> data, TimeSpan? timeout, CancellationToken token, Action<long>? progress = null)
    {
        long started = SocketCallLog.Start();
        try
        {
            using var turn = TakeSendTurn(timeout, token);
            SendAll(data, timeout, token, progress, alreadySent: 0, total: data.Length);
            NoteMessage(data.Length);
        }
        catch (SocketOperationException e) when (ToldFailed($"send(#{Id}, {data.Length} bytes)", started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    /// <summary>
    /// Sends a framed message in one turn: <paramref name="header"/>, <paramref name="data"/> and
    /// <paramref name="trailer"/> leave together, never interleaved with another sender's bytes, without
    /// copying a large message into one buffer first.
    /// </summary>
    public void Send(ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> trailer, TimeSpan? timeout, CancellationToken token, Action<long>? progress = null)
    {
        long started = SocketCallLog.Start();
        long total = header.Length + data.Length + trailer.Length;
        try
        {
            using var turn = TakeSendTurn(timeout, token);
            SendAll(header, timeout, token, progress, alreadySent: 0, total);
            SendAll(data, timeout, token, progress, alreadySent: header.Length, total);
            SendAll(trailer, timeout, token, progress, alreadySent: header.Length + data.Length, total);
            NoteMessage(total);
        }
        catch (SocketOperationException e) when (ToldFailed($"send(#{Id}, {total} bytes)", started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    /// <summary>
    /// Sends <paramref name="data"/>, a piece of a longer transfer of which <paramref name="alreadySent"/> bytes went before.
    /// Each send takes what the OS buffer has room for and never blocks; the thread waits in poll(2) for room, so a
    /// timeout or Ctrl+C ends the wait and the error says exactly how many bytes went.
    /// </summary>
    private void SendAll(ReadOnlyMemory<byte> data, TimeSpan? timeout, CancellationToken token, Action<long>? progress, long alreadySent, long? total)
    {
        ThrowIfCannotSend();
        int sent = 0;
        using var deadline = SendDeadline(timeout, token);
        using var nonBlocking = new NonBlockingScope(this);
        while (sent < data.Length)
        {
            int n;
            try
            {
                if (_tls is { } tls)
                {
                    n = Math.Min(data.Length - sent, TlsSendPiece);
                    tls.Write(data.Span.Slice(sent, n), deadline);
                }
                else
                {
                    n = SendSome(data.Span[sent..], deadline);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or System.IO.IOException)
            {
                var failure = SendFailed(Translate(e, deadline, "send to"), alreadySent + sent, total);
                throw _tls is null ? failure : TlsBroken(new SocketOperationException(failure.Failure,
                    failure.Message + " A TLS session cannot go on after a send that stopped part way: close the socket.", this, failure.InnerException) { BytesSent = failure.BytesSent });
            }
            Interlocked.Add(ref _bytesSent, n);
            CountSend(data.Span.Slice(sent, n));
            sent += n;
            progress?.Invoke(alreadySent + sent);
        }
    }

    // Plaintext per TLS write: progress and the count of bytes sent move in steps this size.
    private const int TlsSendPiece = 4 * TlsChannel.RecordPlaintext;

    /// <summary>One non-blocking send of what the OS buffer has room for, after waiting in poll(2) while it has none.</summary>
    private int SendSome(ReadOnlySpan<byte> data, in Deadline deadline)
    {
        while (true)
        {
            int n = Socket.Send(data, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                WaitUntil(SelectMode.SelectWrite, deadline);
                continue;
            }
            return error == SocketError.Success ? n : throw new SocketException((int)error);
        }
    }

    /// <summary>
    /// Makes the socket non-blocking while at least one operation of ours runs, and restores what the user
    /// had when the last one ends: a send and a receive may overlap on two threads, and neither may leave
    /// the other an emulated-blocking call (which no time limit or Ctrl+C can end). The OS socket is
    /// non-blocking already once .NET made an async call on it, so this costs no system call after the first time.
    /// </summary>
    private readonly struct NonBlockingScope : IDisposable
    {
        private readonly PsSocket _owner;

        public NonBlockingScope(PsSocket owner)
        {
            _owner = owner;
            lock (owner._blockingGate)
            {
                if (owner._nonBlockingUsers++ == 0)
                {
                    owner._restoreBlocking = false;
                    try
                    {
                        owner._restoreBlocking = owner.Socket.Blocking;
                        owner.Socket.Blocking = false;
                    }
                    catch (ObjectDisposedException)
                    {
                        // Closed by another thread: the operation itself reports SocketClosed.
                    }
                }
            }
        }

        public void Dispose()
        {
            lock (_owner._blockingGate)
            {
                if (--_owner._nonBlockingUsers == 0 && _owner._restoreBlocking && !_owner.IsClosed)
                {
                    try
                    {
                        _owner.Socket.Blocking = true;
                    }
                    catch (ObjectDisposedException)
                    {
                        // Closed meanwhile by another thread: nothing to restore.
                    }
                }
            }
        }
    }

    private void ThrowIfCannotSend()
    {
        ThrowIfClosed();
        ThrowIfFailedOrConnecting("send to");
        if (IsDatagram)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"Cannot send a byte stream on {this}: it is a datagram socket, where each message leaves as one datagram (files and streams do not fit one).", this);
        }
        if (RemoteEndPoint is null)
        {
            throw new SocketOperationException(SocketFailure.NotConnected, $"Cannot send on {this}: it is not connected.", this);
        }
        if (_sendShutdown)
        {
            throw new SocketOperationException(SocketFailure.SocketShutdown, $"Cannot send on {this}: sending was shut down (Disconnect-Socket).", this);
        }
    }

    /// <summary>A send failure that says how far the data got, so a caller knows what the peer may have.</summary>
    private SocketOperationException SendFailed(SocketOperationException failure, long sent, long? total)
    {
        string progress = (sent, total) switch
        {
            (0, _) => "no byte",
            (_, null) => $"the first {sent} bytes",
            _ => $"the first {sent} of {total} bytes",
        };
        return new SocketOperationException(failure.Failure, $"{failure.Message} By then {progress} had been sent.", this, failure.InnerException) { BytesSent = sent };
    }
}
