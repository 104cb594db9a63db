using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>
/// Non-blocking mode (O_NONBLOCK, the Blocking option set to false) as the seeds describe it: a call that
/// would wait returns instead. A connect is then started and finished later (Select-Socket -Write), and an
/// error the OS reports outside any call (a refused connect, a reset) is kept as <see cref="LastError"/>.
/// </summary>
public sealed partial class PsSocket
{
    private EndPoint? _connectingTo;
    private volatile bool _failed;

    /// <summary>
    /// Why the socket failed outside any call of ours: its non-blocking connect was refused, or the peer reset
    /// the connection while Select-Socket watched it (SO_ERROR). Null while nothing went wrong.
    /// </summary>
    public SocketOperationException? LastError { get; private set; }

    /// <summary>True when the user's mode is non-blocking: calls without a -Timeout of their own return instead of waiting.</summary>
    public bool IsNonBlocking
    {
        get
        {
            lock (_blockingGate)
            {
                return _nonBlockingUsers > 0 ? !_restoreBlocking : !Socket.Blocking;
            }
        }
    }

    /// <summary>True while a non-blocking connect is under way.</summary>
    public bool IsConnecting => Volatile.Read(ref _connectingTo) is not null;

    internal bool HasFailed => _failed;

    /// <summary>A receive's time limit: its own, else none at all on a non-blocking socket, else the socket's default.</summary>
    private Deadline ReceiveDeadline(TimeSpan? timeout, CancellationToken token) =>
        timeout is null && IsNonBlocking ? Deadline.Immediate(token) : Deadline.Start(EffectiveReceiveTimeout(timeout), token);

    /// <summary>A send's time limit, as <see cref="ReceiveDeadline"/>.</summary>
    private Deadline SendDeadline(TimeSpan? timeout, CancellationToken token) =>
        timeout is null && IsNonBlocking ? Deadline.Immediate(token) : Deadline.Start(EffectiveSendTimeout(timeout), token);

    /// <summary>An accept's time limit, as <see cref="ReceiveDeadline"/>.</summary>
    private Deadline CallDeadline(TimeSpan? timeout, CancellationToken token) =>
        timeout is null && IsNonBlocking ? Deadline.Immediate(token) : Deadline.Start(EffectiveTimeout(timeout), token);

    private SocketOperationException WouldBlock(string doing) =>
        new(SocketFailure.WouldBlock, $"Cannot {doing} {this} now: it is non-blocking, and that would block (EWOULDBLOCK).", this);

    /// <summary>
    /// connect() on a non-blocking socket: true when it connected at once, false when it is under way
    /// (EINPROGRESS); the socket is then <see cref="SocketState.Connecting"/> until Select-Socket finds it done.
    /// </summary>
    internal bool StartConnect(IPEndPoint endPoint)
    {
        try
        {
            Socket.Connect(endPoint);
            RefreshEndPoints();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            Volatile.Write(ref _connectingTo, endPoint);
            return false;
        }
    }

    /// <summary>Finishes the connect if the OS is done with it (poll(2) without waiting); false while it is still under way.</summary>
    internal bool RefreshConnect()
    {
        if (!IsConnecting)
        {
            return true;
        }
        try
        {
            if (!ConnectEnded())
            {
                return false;
            }
        }
        catch (ObjectDisposedException)
        {
            return true; // closed meanwhile: State says Closed
        }
        CompleteConnect();
        return true;
    }

    /// <summary>
    /// Whether the connect under way has ended, connected or failed: writable, or an error or hang-up.
    /// poll(2) directly where there is one: .NET's own checks of a non-blocking connect read SO_ERROR, which clears it.
    /// </summary>
    private bool ConnectEnded()
    {
        if (!NativePoll.Available)
        {
            return Socket.Poll(0, SelectMode.SelectWrite) || Socket.Poll(0, SelectMode.SelectError);
        }
        var entry = new[] { new NativePoll.Entry { Fd = (int)Socket.SafeHandle.DangerousGetHandle(), Requested = NativePoll.Events.Out } };
        return NativePoll.Wait(entry, 1, 0) > 0;
    }

    /// <summary>
    /// The OS says the connect ended (writable, or an error): SO_ERROR tells how. Connected, the endpoints are
    /// read; refused or unreachable, the socket is <see cref="SocketState.Failed"/> with the reason in <see cref="LastError"/>.
    /// </summary>
    internal void CompleteConnect()
    {
        var target = Interlocked.Exchange(ref _connectingTo, null);
        if (target is null)
        {
            return; // another thread finished it
        }
        var error = PendingError();
        if (error == SocketError.Success)
        {
            RefreshEndPoints();
            if (RemoteEndPoint is not null || IsClosed)
            {
                return;
            }
            // Connected says the OS, yet no peer: the error was read before us (by a call on the raw Socket).
            Fail(new SocketOperationException(SocketFailure.NotConnected,
                $"Cannot connect {this} to {FormatEndPoint(target)}: the connect failed, and its reason was taken by a call on the raw Socket.", this));
            return;
        }
        if (ConnectedThenReset(error))
        {
            ResetRightAfterConnect(target, error);
            return;
        }
        Fail(SocketOperationException.FromSocketError(new SocketException((int)error), $"connect {this} to {FormatEndPoint(target)}", this));
    }

    /// <summary>
    /// SO_ERROR after a connect: ECONNRESET only comes once the handshake is done (a refusal is ECONNREFUSED), so the
    /// connect succeeded and the peer reset the connection before we looked.
    /// </summary>
    internal static bool ConnectedThenReset(SocketError error) => error == SocketError.ConnectionReset;

    /// <summary>The connect succeeded, then the peer reset the connection at once: connected, and Failed for good.</summary>
    internal void ResetRightAfterConnect(EndPoint target, SocketError error)
    {
        if (RemoteEndPoint is null) // the OS no longer names the peer of a reset socket
        {
            RemoteEndPoint = target;
            TraceEvent(SocketTraceEvent.Connect);
        }
        var cause = new SocketException((int)error);
        var failure = new SocketOperationException(SocketFailure.ConnectionReset,
            $"{this} connected, and the peer reset the connection at once ({cause.Message}).", this, cause);
        Fail(failure);
        TraceFailure(failure);
    }

    /// <summary>
    /// poll(2) reported an error condition (POLLERR): takes the error (SO_ERROR, which reading clears) and keeps it
    /// as <see cref="LastError"/>. A stream socket is then failed for good; a datagram socket's errors come one per
    /// datagram (an ICMP port unreachable) and it stays usable. False when there was no error left to take.
    /// </summary>
    internal bool TakeError()
    {
        var error = PendingError();
        if (error == SocketError.Success)
        {
            return false;
        }
        var cause = new SocketException((int)error);
        string what = IsDatagram ? $"An error came back to {this}" : $"The connection of {this} broke";
        var kind = ConnectionDied(error) ?? SocketOperationException.Classify(error);
        string why = kind == SocketFailure.ConnectionLost ? $"{LostConnection} ({cause.Message})" : $"{cause.Message} ({error})";
        var failure = new SocketOperationException(kind, $"{what}: {why}.", this, cause);
        if (IsDatagram)
        {
            LastError = failure;
        }
        else
        {
            Fail(failure);
        }
        return true;
    }

    private void Fail(SocketOperationException reason)
    {
        LastError = reason;
        _failed = true;
    }

    private SocketError PendingError()
    {
        try
        {
            return (SocketError)(int)Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
        catch (ObjectDisposedException)
        {
            return SocketError.Success; // closed meanwhile: reported as closed, not as failed
        }
    }

    /// <summary>A failed socket answers every call with why it failed; a connect under way says it is not done yet.</summary>
    internal void ThrowIfFailedOrConnecting(string doing)
    {
        if (IsConnecting && !RefreshConnect())
        {
            throw IsNonBlocking
                ? new SocketOperationException(SocketFailure.WouldBlock,
                    $"Cannot {doing} {this} now: its connect is still under way (Select-Socket -Write reports it once done), and the socket is non-blocking (EWOULDBLOCK).", this)
                : new SocketOperationException(SocketFailure.NotConnected,
                    $"Cannot {doing} {this}: its connect is still under way (Select-Socket -Write reports it once done).", this);
        }
        if (_failed && LastError is { } reason)
        {
            throw new SocketOperationException(reason.Failure,
                $"Cannot {doing} {this}: it failed earlier ({reason.InnerException?.Message ?? reason.Message}); only Close-Socket is left.", this, reason.InnerException);
        }
    }
}
