using System;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>
/// A stream relay (TCP or unix on either side): accepts clients, connects each to the target, and pumps
/// both directions with large buffers. One side's end of stream becomes shutdown(SHUT_WR) on the other, so
/// the other direction flows on until it ends too; a reset or failure on either side resets both.
/// </summary>
internal sealed class StreamRelayEngine : RelayEngine
{
    /// <summary>One receive's worth: large enough that a loopback stream moves in few calls.</summary>
    private const int BufferSize = 128 * 1024;

    private readonly SocketRelay _relay;
    private readonly PsSocket _listener;
    private readonly RelayTarget _target;
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;

    public StreamRelayEngine(SocketRelay relay, PsSocket listener, RelayTarget target)
    {
        _relay = relay;
        _listener = listener;
        _target = target;
    }

    public override EndPoint ListenEndPoint => _listener.LocalEndPoint!;

    /// <summary>bind() and listen() where the relay takes clients: an address and port, or a unix path.</summary>
    public static PsSocket Listen(RelaySettings settings, CancellationToken token)
    {
        var listen = settings.Listen;
        var options = new SocketOptions();
        if (listen.UnixPath is { } path)
        {
            return SocketFactory.ListenUnix(path, SocketType.Stream, settings.Backlog, settings.Force, options);
        }
        return SocketFactory.Listen(RelayEndPoints.Local(listen, settings.ConnectTimeout, token), settings.Backlog, options);
    }

    public override void Start() => _acceptLoop = Task.Run(AcceptLoopAsync);

    public override void StopListening()
    {
        _stopping.Cancel();
        _listener.Close();
    }

    public override void WaitForLoops(TimeSpan limit) => _acceptLoop.Wait(limit);

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.Socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A client gone before accept, or no descriptor left for now: the listener itself is fine.
                _relay.Record(null, SocketOperationException.FromSocketError(e, $"accept a client on {_relay.Listen}", _relay.Listen));
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    await Task.Delay(50).ConfigureAwait(false); // let connections end and free descriptors rather than spin
                }
                continue;
            }
            catch (Exception e)
            {
                _relay.Fail(new SocketOperationException(SocketFailure.Unknown, $"The relay on {_relay.Listen} stopped accepting: {e.Message}", _relay.Listen, e));
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var connection = _relay.Open(RemoteOf(client), client);
        if (connection is null)
        {
            client.Dispose();
            return;
        }
        try
        {
            if (client.ProtocolType == ProtocolType.Tcp)
            {
                client.NoDelay = true;
            }
            Socket upstream;
            try
            {
                upstream = await _target.ConnectAsync(connection.Client, _relay.ConnectTimeout, _stopping.Token).ConfigureAwait(false);
            }
            catch (SocketOperationException e)
            {
                // The client learns that its conversation cannot happen: a reset, not an empty answer.
                _relay.Record(connection, e);
                connection.End(reset: true);
                return;
            }
            if (!connection.Attach(upstream))
            {
                return;
            }
            await Task.WhenAll(
                PumpAsync(connection, client, upstream, RelayDirection.Up),
                PumpAsync(connection, upstream, client, RelayDirection.Down)).ConfigureAwait(false);
            connection.End(reset: false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            connection.End(reset: true); // stopped while connecting, or a socket call on a connection already ended
        }
        finally
        {
            _relay.Closed(connection);
        }
    }

    /// <summary>
    /// Copies one direction until its end of stream. The buffer is taken from the pool only while bytes are
    /// waiting: an idle connection waits with a zero-byte receive and holds no buffer, so thousands of quiet
    /// connections cost little, while a busy one keeps its buffer from chunk to chunk.
    /// </summary>
    private async Task PumpAsync(RelayConnection connection, Socket from, Socket to, RelayDirection direction)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                int received;
                try
                {
                    if (buffer is null)
                    {
                        await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false); // readable: bytes, end of stream or an error
                        buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                    }
                    received = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    Broken(connection, e, direction, receiving: true);
                    return;
                }
                if (received == 0)
                {
                    _relay.Ended(connection, direction);
                    ShutdownSending(to);
                    return;
                }
                _relay.Passing(connection, direction, buffer.AsSpan(0, received));
                try
                {
                    for (int sent = 0; sent < received;)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, received - sent), SocketFlags.None).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    Broken(connection, e, direction, receiving: false);
                    return;
                }
                if (!HasBytesWaiting(from))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static bool HasBytesWaiting(Socket socket)
    {
        try
        {
            return socket.Available > 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false; // the next receive reports what happened
        }
    }

    /// <summary>A side reset or failed: both sides are reset, and the first failure of the connection is recorded.</summary>
    private void Broken(RelayConnection connection, Exception e, RelayDirection direction, bool receiving)
    {
        if (!connection.End(reset: true) || e is not SocketException socketError)
        {
            return; // the connection was already ended (by the other direction or by Stop): this is only the echo of that
        }
        string client = $"client {connection.Client}";
        string doing = (direction, receiving) switch
        {
            (RelayDirection.Up, true) => $"receive from {client}",
            (RelayDirection.Up, false) => $"send to {_target} for {client}",
            (RelayDirection.Down, true) => $"receive from {_target} for {client}",
            _ => $"send to {client}",
        };
        _relay.Record(connection, SocketOperationException.FromSocketError(socketError, doing, connection.Client));
    }

    private static void ShutdownSending(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The other side is already gone; its own direction will report that.
        }
    }

    private static EndPoint? RemoteOf(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
