using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>Where one relayed connection (or UDP session) is in its life.</summary>
public enum RelayConnectionState
{
    /// <summary>Accepted; the relay is connecting to the target.</summary>
    Connecting,
    /// <summary>Bytes flow both ways.</summary>
    Open,
    /// <summary>The client shut down sending; the relay shut down sending to the target, and the target's answer still flows back.</summary>
    ClientFinished,
    /// <summary>The target shut down sending; the relay passed that on, and the client can still send.</summary>
    TargetFinished,
    Closed,
}

/// <summary>One client of a relay: a TCP or unix connection with its own connection to the target, or a UDP client's session.</summary>
public sealed class RelayConnection
{
    private readonly object _gate = new();
    private long _bytesUp;
    private long _bytesDown;
    private long _lastActivity = Environment.TickCount64;
    private volatile RelayConnectionState _state = RelayConnectionState.Connecting;
    private bool _ended;

    internal RelayConnection(int id, EndPoint? client, Socket? clientSocket)
    {
        Id = id;
        ClientEndPoint = client;
        ClientSocket = clientSocket;
        _startedUtc = DateTime.UtcNow;
    }

    /// <summary>The relay's number of this connection, as trace entries and errors name it.</summary>
    public int Id { get; }

    public EndPoint? ClientEndPoint { get; }

    public string Client => PsSocket.FormatEndPoint(ClientEndPoint);

    /// <summary>The local end of the relay's own connection to the target (its source port there).</summary>
    public EndPoint? UpstreamEndPoint { get; private set; }

    public DateTime Started => _startedUtc.ToLocalTime();
    private readonly DateTime _startedUtc;

    public RelayConnectionState State => _state;

    public long BytesUp => Interlocked.Read(ref _bytesUp);

    public long BytesDown => Interlocked.Read(ref _bytesDown);

    /// <summary>How long since a byte last passed either way.</summary>
    public TimeSpan Idle => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastActivity));

    /// <summary>The accepted client socket; none for a UDP session, whose client is answered through the relay's own socket.</summary>
    internal Socket? ClientSocket { get; }

    internal Socket? Upstream { get; private set; }

    internal long LastActivity => Interlocked.Read(ref _lastActivity);

    public override string ToString() => $"connection {Id} ({Client})";

    internal void Count(RelayDirection direction, int bytes)
    {
        if (direction == RelayDirection.Up)
        {
            Interlocked.Add(ref _bytesUp, bytes);
        }
        else
        {
            Interlocked.Add(ref _bytesDown, bytes);
        }
        Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
    }

    /// <summary>Takes the socket connected to the target; false (and the socket closed) when the connection was ended meanwhile.</summary>
    internal bool Attach(Socket upstream)
    {
        lock (_gate)
        {
            if (!_ended)
            {
                Upstream = upstream;
                UpstreamEndPoint = SafeLocalEndPoint(upstream);
                _state = RelayConnectionState.Open;
                return true;
            }
        }
        upstream.Dispose();
        return false;
    }

    /// <summary>One direction reached its end of stream: the connection is half-closed, or closing when both did.</summary>
    internal void Finished(RelayDirection direction)
    {
        lock (_gate)
        {
            if (_state is RelayConnectionState.Open)
            {
                _state = direction == RelayDirection.Up ? RelayConnectionState.ClientFinished : RelayConnectionState.TargetFinished;
            }
        }
    }

    /// <summary>Closes both sides: gracefully after both directions ended, with a reset (RST) when <paramref name="reset"/>. True the first time.</summary>
    internal bool End(bool reset)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }
            _ended = true;
            _state = RelayConnectionState.Closed;
        }
        Close(ClientSocket, reset);
        Close(Upstream, reset);
        return true;
    }

    private static void Close(Socket? socket, bool reset)
    {
        if (socket is null)
        {
            return;
        }
        if (reset && socket.SocketType == SocketType.Stream)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // a socket the peer already reset: closing it is all that is left
            }
        }
        socket.Dispose();
    }

    private static EndPoint? SafeLocalEndPoint(Socket socket)
    {
        try
        {
            return socket.LocalEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
