using System;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;

namespace PsSockets;

/// <summary>accept(): the listener side.</summary>
public sealed partial class PsSocket
{
    /// <summary>Waits for the next connection; the new socket inherits this listener's default timeout and blocking mode.</summary>
    public PsSocket Accept(string? name, TimeSpan? timeout, CancellationToken token)
    {
        long started = SocketCallLog.Start();
        try
        {
            var connection = AcceptOne(name, timeout, token);
            SocketCallLog.Current?.Add($"accept(#{Id}) -> #{connection.Id} from {FormatEndPoint(connection.RemoteEndPoint)} in {SocketCallLog.Took(started)}");
            return connection;
        }
        catch (SocketOperationException e) when (SocketCallLog.Current is { } log && log.Failed($"accept(#{Id})", started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    private PsSocket AcceptOne(string? name, TimeSpan? timeout, CancellationToken token)
    {
        ThrowIfClosed();
        if (!_listening)
        {
            throw new SocketOperationException(SocketFailure.NotListening, $"Cannot accept on {this}: it is not listening (Start-SocketListener makes a listener).", this);
        }
        using var deadline = CallDeadline(timeout, token);
        Socket accepted;
        try
        {
            if (AddressFamily == AddressFamily.Unix && OperatingSystem.IsLinux())
            {
                accepted = AcceptUnix(deadline);
            }
            else if (deadline.NonBlocking)
            {
                accepted = AcceptNow(deadline);
            }
            else
            {
                long started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    var pending = Socket.AcceptAsync(deadline.Token);
                    accepted = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
                }
                finally
                {
                    NoteBlocked(started);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            throw Translate(e, deadline, "accept a connection on");
        }
        if (IsNonBlocking)
        {
            accepted.Blocking = false; // as the listener is: a select loop's connections need no call each
        }
        var connection = new PsSocket(accepted, name) { Timeout = Timeout, MaxMessageSize = MaxMessageSize, NewLine = NewLine };
        TraceAccepted(connection);
        if (ReceiveTimeout is not null || SendTimeout is not null)
        {
            (connection.ReceiveTimeout, connection.SendTimeout) = (ReceiveTimeout, SendTimeout); // the listener's time limits pass on, as its Timeout does
        }
        return connection;
    }

    /// <summary>A non-blocking accept: the waiting connection, or would-block when there is none.</summary>
    private Socket AcceptNow(in Deadline deadline)
    {
        WaitUntil(SelectMode.SelectRead, deadline); // no wait: throws at once when no connection is waiting
        using (new NonBlockingScope(this))
        {
            return Socket.Accept(); // a connection that went away since the poll is EWOULDBLOCK too
        }
    }

    /// <summary>
    /// accept4(2) itself, for unix listeners: .NET's Accept sizes the peer's address by the listener's own path,
    /// and fails (after the kernel accepted, losing the connection) when the client is bound to a longer one.
    /// </summary>
    private Socket AcceptUnix(in Deadline deadline)
    {
        while (true)
        {
            WaitUntil(SelectMode.SelectRead, deadline);
            int fd;
            bool added = false;
            using (new NonBlockingScope(this))
            {
                try
                {
                    Socket.SafeHandle.DangerousAddRef(ref added); // the descriptor cannot be closed and reused under us
                    fd = accept4(Socket.SafeHandle.DangerousGetHandle(), IntPtr.Zero, IntPtr.Zero, SockCloexec);
                }
                finally
                {
                    if (added)
                    {
                        Socket.SafeHandle.DangerousRelease();
                    }
                }
            }
            if (fd >= 0)
            {
                return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (EAgain or EIntr or EConnAborted))
            {
                var error = errno switch
                {
                    EMFile or ENFile => SocketError.TooManyOpenSockets,
                    ENoBufs or ENoMem => SocketError.NoBufferSpaceAvailable,
                    EPerm => SocketError.AccessDenied,
                    _ => SocketError.SocketError,
                };
                throw new SocketException((int)error, $"accept4: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
    }

    private const int SockCloexec = 0x80000, EAgain = 11, EIntr = 4, EConnAborted = 103, EMFile = 24, ENFile = 23, ENoBufs = 105, ENoMem = 12, EPerm = 1;

    [DllImport("libc", SetLastError = true)]
    private static extern int accept4(IntPtr sockfd, IntPtr addr, IntPtr addrlen, int flags);
}
