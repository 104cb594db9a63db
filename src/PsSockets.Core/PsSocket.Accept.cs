using System;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>accept(): the listener side.</summary>
public sealed partial class PsSocket
{
    /// <summary>Waits for the next connection; the new socket inherits this listener's default timeout.</summary>
    public PsSocket Accept(string? name, TimeSpan? timeout, CancellationToken token)
    {
        ThrowIfClosed();
        if (!_listening)
        {
            throw new SocketOperationException(SocketFailure.NotListening, $"Cannot accept on {this}: it is not listening (Start-SocketListener makes a listener).", this);
        }
        using var deadline = Deadline.Start(EffectiveTimeout(timeout), token);
        Socket accepted;
        try
        {
            var pending = Socket.AcceptAsync(deadline.Token);
            accepted = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            throw Translate(e, deadline, "accept a connection on");
        }
        return new PsSocket(accepted, name) { Timeout = Timeout, MaxMessageSize = MaxMessageSize, NewLine = NewLine };
    }
}
