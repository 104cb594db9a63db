using System;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>The options the PsSocket itself keeps: per-direction time limits, and the user's blocking mode.</summary>
public sealed partial class PsSocket
{
    /// <summary>The longest time limit in seconds (about 23 days): a CancellationTokenSource timer takes no more.</summary>
    public const double MaxTimeoutSeconds = 2_000_000;

    private double? _receiveTimeout;
    private double? _sendTimeout;

    /// <summary>
    /// The default time limit, in seconds, of receives on this socket, before <see cref="Timeout"/>; null
    /// defers to <see cref="Timeout"/>. Also sets SO_RCVTIMEO, for blocking .NET calls on <see cref="Socket"/>.
    /// </summary>
    public double? ReceiveTimeout
    {
        get => _receiveTimeout;
        set => _receiveTimeout = SetSystemTimeout(SocketOptionName.ReceiveTimeout, value);
    }

    /// <summary>Like <see cref="ReceiveTimeout"/>, for sends; also sets SO_SNDTIMEO.</summary>
    public double? SendTimeout
    {
        get => _sendTimeout;
        set => _sendTimeout = SetSystemTimeout(SocketOptionName.SendTimeout, value);
    }

    /// <summary>The time limit of a receive: its own when given, else the socket's ReceiveTimeout, else its Timeout.</summary>
    public TimeSpan? EffectiveReceiveTimeout(TimeSpan? callTimeout) =>
        callTimeout ?? (_receiveTimeout is { } s ? TimeSpan.FromSeconds(s) : EffectiveTimeout(null));

    /// <summary>The time limit of a send: its own when given, else the socket's SendTimeout, else its Timeout.</summary>
    public TimeSpan? EffectiveSendTimeout(TimeSpan? callTimeout) =>
        callTimeout ?? (_sendTimeout is { } s ? TimeSpan.FromSeconds(s) : EffectiveTimeout(null));

    /// <summary>The blocking mode the user chose, which the OS socket has whenever no operation of ours runs.</summary>
    internal bool GetBlocking()
    {
        lock (_blockingGate)
        {
            ThrowIfClosed();
            return _nonBlockingUsers > 0 ? _restoreBlocking : Socket.Blocking;
        }
    }

    /// <summary>
    /// Sets the blocking mode. While an operation runs the OS socket must stay non-blocking (see
    /// NonBlockingScope), so the mode is then what the last operation restores when it ends.
    /// </summary>
    internal void SetBlocking(bool blocking)
    {
        lock (_blockingGate)
        {
            ThrowIfClosed();
            if (_nonBlockingUsers > 0)
            {
                _restoreBlocking = blocking;
            }
            else
            {
                Socket.Blocking = blocking;
            }
        }
    }

    /// <summary>Checks <paramref name="seconds"/> and sets the OS option to match; returns what to keep.</summary>
    private double? SetSystemTimeout(SocketOptionName option, double? seconds)
    {
        if (seconds is { } s && (double.IsNaN(s) || s < 0 || s > MaxTimeoutSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, $"A time limit is a number of seconds from 0 to {MaxTimeoutSeconds}, or null for none.");
        }
        ThrowIfClosed();
        try
        {
            Socket.SetSocketOption(SocketOptionLevel.Socket, option, SystemMilliseconds(seconds));
        }
        catch (SocketException e)
        {
            throw SocketOperationException.FromSocketError(e, $"set {option} on {this}", this);
        }
        catch (ObjectDisposedException e)
        {
            throw new SocketOperationException(SocketFailure.SocketClosed, $"Cannot set {option} on {this}: it was closed.", this, e);
        }
        return seconds;
    }

    /// <summary>
    /// SO_RCVTIMEO/SO_SNDTIMEO in milliseconds, where 0 means no limit: so no limit is 0, and a limit of 0
    /// (here: fail at once when not ready) is the shortest the OS has, 1 ms.
    /// </summary>
    private static int SystemMilliseconds(double? seconds) =>
        seconds is { } s ? (int)Math.Clamp(Math.Ceiling(s * 1000), 1, int.MaxValue) : 0;
}
