using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>Unix domain stream sockets: listen on a path or an abstract name, and connect to one.</summary>
public static partial class SocketFactory
{
    /// <summary>
    /// bind() and listen() on a unix path. A socket file left by a listener that is gone is refused
    /// (StaleSocketFile) unless <paramref name="force"/>; a live listener's path is AddressInUse; a file
    /// that is not a socket is never touched. The file goes when the listener closes (.NET deletes what a socket bound).
    /// </summary>
    public static PsSocket ListenUnix(string path, int backlog, bool force, SocketOptions options)
    {
        var endPoint = UnixSocketPath.EndPoint(path);
        if (!UnixSocketPath.IsAbstract(path) && (File.Exists(path) || Directory.Exists(path)))
        {
            ClearStale(path, endPoint, force);
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw SocketOperationException.FromSocketError(e, $"listen on {UnixSocketPath.Display(path)}", path);
        }
        var listener = new PsSocket(socket, options.Name) { Timeout = options.Timeout };
        listener.MarkListening();
        return listener;
    }

    /// <summary>connect() to a unix path or abstract name, within the time limit.</summary>
    public static PsSocket ConnectUnix(string path, SocketOptions options, TimeSpan? timeout, CancellationToken token)
    {
        var endPoint = UnixSocketPath.EndPoint(path);
        using var deadline = Deadline.Start(timeout, token);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
        try
        {
            while (true)
            {
                try
                {
                    socket.Connect(endPoint);
                    break;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    // A unix listener with a full backlog says "try again" and offers nothing to poll:
                    // wait a little on the deadline's token (a stop or the time limit ends it) and retry.
                    deadline.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(5));
                    deadline.ThrowIfOver();
                }
            }
            socket.Blocking = true;
            return new PsSocket(socket, options.Name) { Timeout = options.Timeout };
        }
        catch (SocketException e)
        {
            socket.Dispose();
            if (!UnixSocketPath.IsAbstract(path) && !File.Exists(path))
            {
                throw new SocketOperationException(SocketFailure.AddressNotAvailable,
                    $"Cannot connect to {UnixSocketPath.Display(path)}: there is no socket file at that path (is the server running?).", path, e);
            }
            string why = e.SocketErrorCode == SocketError.ConnectionRefused ? " (nothing listens on it)" : string.Empty;
            throw SocketOperationException.FromSocketError(e, $"connect to {UnixSocketPath.Display(path)}{why}", path);
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            socket.Dispose();
            throw new SocketOperationException(SocketFailure.OperationTimeout,
                $"Timed out after {Deadline.Describe(deadline.Timeout)} connecting to {UnixSocketPath.Display(path)}.", path);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void ClearStale(string path, UnixDomainSocketEndPoint endPoint, bool force)
    {
        bool? isSocket = UnixSocketPath.IsSocketFile(path);
        if (isSocket == false)
        {
            throw new SocketOperationException(SocketFailure.AddressInUse,
                $"Cannot listen on {UnixSocketPath.Display(path)}: something that is not a socket file is there, and it was left alone.", path);
        }
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false })
        {
            try
            {
                probe.Connect(endPoint);
                throw InUse(path);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                throw InUse(path); // a listener with a full backlog: alive, just busy
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
                $"Cannot listen on {UnixSocketPath.Display(path)}: a file with no listener behind it is there, and this system cannot tell whether it is a socket file; remove it yourself if it is a crashed listener's.", path);
        }
        if (!force)
        {
            throw new SocketOperationException(SocketFailure.StaleSocketFile,
                $"Cannot listen on {UnixSocketPath.Display(path)}: a socket file with no listener behind it is there (left by a listener that did not close, such as a crashed server). -Force replaces it.", path);
        }
        File.Delete(path);
    }

    private static SocketOperationException InUse(string path) =>
        new(SocketFailure.AddressInUse, $"Cannot listen on {UnixSocketPath.Display(path)}: another listener is on it.", path);
}
