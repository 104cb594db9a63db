using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>Unix domain sockets, stream and datagram: bind and listen on a path or an abstract name, and connect to one.</summary>
public static partial class SocketFactory
{
    /// <summary>
    /// bind() and, for a stream socket, listen() on a unix path: a datagram "listener" is a bound datagram socket.
    /// A socket file left by a socket that is gone is refused (StaleSocketFile) unless <paramref name="force"/>;
    /// a live socket's path is AddressInUse; a file that is not a socket is never touched. The file goes when
    /// the socket closes (.NET deletes what a socket bound).
    /// </summary>
    public static PsSocket ListenUnix(string path, SocketType type, int backlog, bool force, SocketOptions options)
    {
        var listener = CreateUnix(path, type, force, options, doing: "listen on");
        if (type == SocketType.Stream)
        {
            try
            {
                Listen(listener.Socket, backlog);
            }
            catch (SocketException e)
            {
                listener.Close();
                throw SocketOperationException.FromSocketError(e, $"listen on {UnixSocketPath.Display(path)}", path);
            }
            listener.MarkListening();
        }
        return listener;
    }

    /// <summary>socket() and bind() to a unix path or abstract name (the stale-file rules of <see cref="ListenUnix"/>).</summary>
    public static PsSocket CreateUnix(string path, SocketType type, bool force, SocketOptions options, string doing = "bind to")
    {
        var endPoint = UnixSocketPath.EndPoint(path);
        if (!UnixSocketPath.IsAbstract(path) && (File.Exists(path) || Directory.Exists(path)))
        {
            ClearStale(path, type, endPoint, force, doing);
        }
        var socket = New(AddressFamily.Unix, type);
        try
        {
            Configure(socket, options);
            Told(socket, () => socket.Bind(endPoint), name => $"bind({name}, {UnixSocketPath.Display(path)})");
        }
        catch (SocketException e)
        {
            Discard(socket);
            throw SocketOperationException.FromSocketError(e, $"{doing} {UnixSocketPath.Display(path)}", path);
        }
        catch
        {
            Discard(socket);
            throw;
        }
        return Wrap(socket, options);
    }

    /// <summary>
    /// connect() to a unix path or abstract name, within the time limit: a new socket of <paramref name="type"/>,
    /// or <paramref name="existing"/> (a unix socket made by New-Socket, perhaps bound to a path of its own).
    /// A datagram socket gets a name of its own first (Linux autobind), so the peer can answer it.
    /// </summary>
    public static PsSocket ConnectUnix(string path, SocketType type, PsSocket? existing, SocketOptions options, TimeSpan? timeout, CancellationToken token)
    {
        var endPoint = UnixSocketPath.EndPoint(path);
        if (existing is not null)
        {
            existing.ThrowIfClosed();
            if (existing.AddressFamily != AddressFamily.Unix || existing.RemoteEndPoint is not null || existing.IsListening)
            {
                throw new SocketOperationException(existing.RemoteEndPoint is null ? SocketFailure.InvalidArgument : SocketFailure.AlreadyConnected,
                    $"Cannot connect {existing} to {UnixSocketPath.Display(path)}: only an unconnected unix socket can be.", existing);
            }
            SocketOptionCatalog.Apply(existing, options.Named);
        }
        // A unix connect is done at once or refused at once; non-blocking, a full backlog (EAGAIN) is would-block.
        using var deadline = existing is { IsNonBlocking: true } && timeout is null
            ? Deadline.Immediate(token)
            : Deadline.Start(timeout ?? existing?.EffectiveTimeout(null), token);
        var socket = existing?.Socket ?? New(AddressFamily.Unix, type);
        bool wasBlocking = socket.Blocking;
        long started = SocketCallLog.Start();
        string Call() => $"connect({(existing is null ? SocketCallLog.Current?.Of(socket) : $"#{existing.Id}")}, {UnixSocketPath.Display(path)})";
        try
        {
            if (existing is null)
            {
                Configure(socket, options);
                wasBlocking = socket.Blocking; // the mode the options asked for is the one to restore
            }
            if (socket.SocketType == SocketType.Dgram)
            {
                AutoBind(socket);
            }
            socket.Blocking = false;
            while (true)
            {
                try
                {
                    socket.Connect(endPoint);
                    break;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    // A unix listener with a full backlog says "try again" and offers nothing to poll.
                    deadline.BackOff(TimeSpan.FromMilliseconds(5));
                }
            }
            socket.Blocking = wasBlocking;
            SocketCallLog.Current?.Add($"{Call()} ok in {SocketCallLog.Took(started)}");
            if (existing is null)
            {
                return Wrap(socket, options);
            }
            existing.RefreshEndPoints();
            return existing;
        }
        catch (SocketException e)
        {
            SocketCallLog.Current?.Failed(Call(), started, e);
            Abandon(socket, existing, wasBlocking);
            if (!UnixSocketPath.IsAbstract(path) && !File.Exists(path))
            {
                throw new SocketOperationException(SocketFailure.AddressNotAvailable,
                    $"Cannot connect to {UnixSocketPath.Display(path)}: there is no socket file at that path (is the server running?).", path, e);
            }
            string why = e.SocketErrorCode == SocketError.ConnectionRefused ? " (nothing listens on it)" : string.Empty;
            throw SocketOperationException.FromSocketError(e, $"connect to {UnixSocketPath.Display(path)}{why}", path);
        }
        catch (OperationCanceledException) when (deadline.Expired && deadline.NonBlocking)
        {
            SocketCallLog.Current?.Add($"{Call()} failed: EAGAIN (the listener's backlog is full)");
            Abandon(socket, existing, wasBlocking);
            throw new SocketOperationException(SocketFailure.WouldBlock,
                $"Cannot connect {existing} to {UnixSocketPath.Display(path)} now: the listener's backlog is full, and the socket is non-blocking (EAGAIN).", existing);
        }
        catch (OperationCanceledException e) when (deadline.Expired)
        {
            SocketCallLog.Current?.Failed(Call(), started, e, timedOut: true);
            Abandon(socket, existing, wasBlocking);
            throw new SocketOperationException(SocketFailure.OperationTimeout,
                $"Timed out after {Deadline.Describe(deadline.Timeout)} connecting to {UnixSocketPath.Display(path)}.", path);
        }
        catch
        {
            Abandon(socket, existing, wasBlocking);
            throw;
        }
    }

    /// <summary>After a failed connect: a socket we made goes; the caller's stays, as it was.</summary>
    private static void Abandon(Socket socket, PsSocket? existing, bool wasBlocking)
    {
        if (existing is null)
        {
            Discard(socket);
        }
        else if (!existing.IsClosed)
        {
            socket.Blocking = wasBlocking;
        }
    }

    /// <summary>
    /// Gives an unnamed unix datagram socket an abstract name of the kernel's choosing when it connects or
    /// sends (SO_PASSCRED makes Linux autobind): an unnamed sender cannot be answered.
    /// </summary>
    private static void AutoBind(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            const int SolSocket = 1, SoPassCred = 16;
            socket.SetRawSocketOption(SolSocket, SoPassCred, BitConverter.GetBytes(1));
        }
    }

    private static void ClearStale(string path, SocketType type, UnixDomainSocketEndPoint endPoint, bool force, string doing)
    {
        bool? isSocket = UnixSocketPath.IsSocketFile(path);
        if (isSocket == false)
        {
            throw new SocketOperationException(SocketFailure.AddressInUse,
                $"Cannot {doing} {UnixSocketPath.Display(path)}: something that is not a socket file is there, and it was left alone.", path);
        }
        using (var probe = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified) { Blocking = false })
        {
            try
            {
                probe.Connect(endPoint);
                throw InUse(path, doing);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                throw InUse(path, doing); // a listener with a full backlog: alive, just busy
            }
            catch (SocketException e) when (e.SocketErrorCode != SocketError.ConnectionRefused)
            {
                throw SocketOperationException.FromSocketError(e, $"check the file at {UnixSocketPath.Display(path)}", path);
            }
            catch (SocketException)
            {
                // Nobody listens: the file is a listener's that did not close.
            }
        }
        if (isSocket is null)
        {
            throw new SocketOperationException(SocketFailure.StaleSocketFile,
                $"Cannot {doing} {UnixSocketPath.Display(path)}: a file with no socket behind it is there, and this system cannot tell whether it is a socket file; remove it yourself if it is a crashed listener's.", path);
        }
        if (!force)
        {
            throw new SocketOperationException(SocketFailure.StaleSocketFile,
                $"Cannot {doing} {UnixSocketPath.Display(path)}: a socket file with no socket behind it is there (left by a socket that did not close, such as a crashed server). -Force replaces it.", path);
        }
        File.Delete(path);
    }

    private static SocketOperationException InUse(string path, string doing) =>
        new(SocketFailure.AddressInUse, $"Cannot {doing} {UnixSocketPath.Display(path)}: another socket is bound to it and alive.", path);
}
