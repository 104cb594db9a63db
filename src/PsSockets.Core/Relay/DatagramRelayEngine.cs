using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>
/// A UDP relay: each client endpoint gets a session with its own upstream socket connected to the target,
/// so the target's answers find their way back to the client they belong to. A session with no datagram
/// either way for the idle timeout ends and its socket closes.
/// </summary>
internal sealed class DatagramRelayEngine : RelayEngine
{
    /// <summary>The largest UDP payload (65,507 bytes over IPv4, 65,527 over IPv6) fits whole.</summary>
    private const int DatagramBufferSize = 65536;

    private readonly SocketRelay _relay;
    private readonly PsSocket _listener;
    private readonly IPEndPoint _target;
    private readonly Dictionary<EndPoint, RelayConnection> _sessions = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _receiveLoop = Task.CompletedTask;
    private Timer? _sweeper;

    public DatagramRelayEngine(SocketRelay relay, PsSocket listener, IPEndPoint target)
    {
        _relay = relay;
        _listener = listener;
        _target = target;
    }

    public override EndPoint ListenEndPoint => _listener.LocalEndPoint!;

    /// <summary>socket() and bind() where clients send their datagrams.</summary>
    public static PsSocket Bind(RelaySettings settings, CancellationToken token)
    {
        if (settings.Listen.UnixPath is not null)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"Cannot relay UDP from {settings.Listen}: a UDP relay listens on an address and port.", settings.Listen.ToString());
        }
        var local = RelayEndPoints.Local(settings.Listen, settings.ConnectTimeout, token);
        return SocketFactory.Create(local.AddressFamily, SocketType.Dgram, local, new SocketOptions());
    }

    public override void Start()
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_relay.IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _sweeper = new Timer(_ => ExpireIdleSessions(), null, period, period);
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public override void StopListening()
    {
        _stopping.Cancel();
        _sweeper?.Dispose();
        _listener.Close();
    }

    public override void WaitForLoops(TimeSpan limit) => _receiveLoop.Wait(limit);

    /// <summary>Datagrams from clients, each sent on by its client's session.</summary>
    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[DatagramBufferSize];
        EndPoint any = _listener.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult datagram;
            try
            {
                datagram = await _listener.Socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                continue; // an ICMP error about an earlier answer to a client that is gone (Windows reports these)
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _relay.Fail(new SocketOperationException(SocketFailure.Unknown, $"The relay on {_relay.Listen} stopped receiving: {e.Message}", _relay.Listen, e));
                return;
            }
            var session = SessionOf(datagram.RemoteEndPoint);
            if (session?.Upstream is not { } upstream)
            {
                continue;
            }
            var data = buffer.AsMemory(0, datagram.ReceivedBytes);
            _relay.Passing(session, RelayDirection.Up, data.Span);
            try
            {
                await upstream.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                // The target's port was closed when an earlier datagram arrived (ICMP), or the network said no.
                _relay.Record(session, SocketOperationException.FromSocketError(e, $"send a datagram to {_target} for client {session.Client}", session.Client));
            }
            catch (ObjectDisposedException)
            {
                // the session expired or the relay stopped while this datagram was on its way
            }
        }
    }

    /// <summary>The client's session, made with its own upstream socket on the client's first datagram.</summary>
    private RelayConnection? SessionOf(EndPoint client)
    {
        lock (_sessions)
        {
            if (_sessions.TryGetValue(client, out var existing) && existing.State != RelayConnectionState.Closed)
            {
                return existing; // (a session that just expired is replaced by a new one)
            }
        }
        var session = _relay.Open(client, clientSocket: null);
        if (session is null)
        {
            return null;
        }
        var upstream = new Socket(_target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            upstream.Connect(_target); // fixes the peer: only the target's datagrams arrive on this socket
        }
        catch (SocketException e)
        {
            upstream.Dispose();
            _relay.Record(session, SocketOperationException.FromSocketError(e, $"connect to {_target} for client {session.Client}", session.Client));
            session.End(reset: false);
            _relay.Closed(session);
            return null;
        }
        if (!session.Attach(upstream))
        {
            _relay.Closed(session);
            return null;
        }
        lock (_sessions)
        {
            _sessions[client] = session;
        }
        _ = AnswerLoopAsync(session, upstream);
        return session;
    }

    /// <summary>
    /// The target's datagrams on a session's socket, each sent to the session's client from the relay's own address.
    /// A silent session waits with a zero-byte peek and holds no buffer.
    /// </summary>
    private async Task AnswerLoopAsync(RelayConnection session, Socket upstream)
    {
        try
        {
            while (true)
            {
                byte[] buffer;
                int received;
                try
                {
                    await upstream.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek).ConfigureAwait(false); // a datagram is waiting (left in place)
                    buffer = ArrayPool<byte>.Shared.Rent(DatagramBufferSize);
                    try
                    {
                        received = await upstream.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                    }
                    catch
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        throw;
                    }
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    _relay.Record(session, new SocketOperationException(SocketFailure.ConnectionRefused,
                        $"The target {_target} refused a datagram from client {session.Client}: nothing listens there (ICMP port unreachable).", session.Client, e));
                    continue;
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return; // the session ended (idle, or the relay stopped)
                }
                try
                {
                    _relay.Passing(session, RelayDirection.Down, buffer.AsSpan(0, received));
                    await _listener.Socket.SendToAsync(buffer.AsMemory(0, received), SocketFlags.None, session.ClientEndPoint!).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    _relay.Record(session, SocketOperationException.FromSocketError(e, $"send a datagram to client {session.Client}", session.Client));
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        finally
        {
            Forget(session);
        }
    }

    private void ExpireIdleSessions()
    {
        long now = Environment.TickCount64;
        long idleMs = (long)_relay.IdleTimeout.TotalMilliseconds;
        RelayConnection[] idle;
        lock (_sessions)
        {
            idle = _sessions.Values.Where(s => now - s.LastActivity >= idleMs).ToArray();
        }
        foreach (var session in idle)
        {
            session.End(reset: false); // its answer loop sees the socket closed and forgets the session
        }
    }

    private void Forget(RelayConnection session)
    {
        session.End(reset: false);
        lock (_sessions)
        {
            if (_sessions.TryGetValue(session.ClientEndPoint!, out var current) && current == session)
            {
                _sessions.Remove(session.ClientEndPoint!);
            }
        }
        _relay.Closed(session);
    }
}
