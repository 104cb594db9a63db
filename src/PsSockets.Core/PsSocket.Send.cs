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
    public void Send(ReadOnlyMemory<byte> data, TimeSpan? timeout, CancellationToken token)
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
                var failure = Translate(e, deadline, "send to");
                string progress = sent == 0 ? "no byte" : $"the first {sent} of {data.Length} bytes";
                throw new SocketOperationException(failure.Failure, $"{failure.Message} By then {progress} had been sent.", this, failure.InnerException);
            }
            sent += n;
            Interlocked.Add(ref _bytesSent, n);
        }
    }
}
