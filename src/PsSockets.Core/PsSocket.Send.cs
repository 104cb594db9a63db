using System;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>The send side: sendall, once.</summary>
public sealed partial class PsSocket
{
    // Sent in slices so that a timeout can say how much went out (the OS may take part of a slice).
    private const int SendSlice = 1024 * 1024;

    /// <summary>Sends every byte (the seeds' partial-send loop), or fails saying how many went out.</summary>
    /// <param name="progress">Told the running total after each slice, on the calling thread.</param>
    public void Send(ReadOnlyMemory<byte> data, TimeSpan? timeout, CancellationToken token, Action<long>? progress = null) =>
        SendAll(data, timeout, token, progress, alreadySent: 0, total: data.Length);

    /// <summary>Sends <paramref name="data"/>, a piece of a longer transfer of which <paramref name="alreadySent"/> bytes went before.</summary>
    private void SendAll(ReadOnlyMemory<byte> data, TimeSpan? timeout, CancellationToken token, Action<long>? progress, long alreadySent, long? total)
    {
        ThrowIfCannotSend();
        int sent = 0;
        using var deadline = Deadline.Start(EffectiveTimeout(timeout), token);
        while (sent < data.Length)
        {
            var slice = data.Slice(sent, Math.Min(SendSlice, data.Length - sent));
            int n;
            try
            {
                var pending = Socket.SendAsync(slice, SocketFlags.None, deadline.Token);
                n = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                throw SendFailed(Translate(e, deadline, "send to"), alreadySent + sent, total);
            }
            sent += n;
            Interlocked.Add(ref _bytesSent, n);
            progress?.Invoke(alreadySent + sent);
        }
    }

    private void ThrowIfCannotSend()
    {
        ThrowIfClosed();
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
        return new SocketOperationException(failure.Failure, $"{failure.Message} By then {progress} had been sent.", this, failure.InnerException);
    }
}
