using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;

namespace PsSockets;

/// <summary>Whether a relay still forwards.</summary>
public enum RelayState
{
    Running,
    /// <summary>Stopped by Stop(): its port is free and its connections are closed.</summary>
    Stopped,
    /// <summary>Its listener failed and it stopped on its own; <see cref="SocketRelay.Errors"/> says why.</summary>
    Failed,
}

/// <summary>
/// A relay in the background: it accepts clients on one endpoint and forwards each one's traffic to a
/// target and back, half-closes carried across (TCP and unix streams), or one session per client
/// endpoint (UDP). It runs on its own (asynchronous socket calls on the thread pool, no runspace) until
/// <see cref="Stop"/>, counting bytes as they pass and, when asked, keeping a bounded trace of them.
/// </summary>
public sealed class SocketRelay : ISessionObject
{
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(2);
    private static int s_lastId;

    private readonly object _gate = new();
    private readonly Dictionary<int, RelayConnection> _connections = [];
    private readonly RelayErrorLog _errors = new();
    private readonly RelayEngine _engine;
    private int _lastConnection;
    private long _totalConnections;
    private long _bytesUp;
    private long _bytesDown;
    private volatile RelayState _state = RelayState.Running;
    private bool _stopping;
    private int _stoppedRaised;

    private SocketRelay(RelaySettings settings, Func<SocketRelay, RelayEngine> engine)
    {
        Id = Interlocked.Increment(ref s_lastId);
        Name = settings.Name;
        Target = settings.Target.ToString();
        IsDatagram = settings.Datagram;
        ConnectTimeout = settings.ConnectTimeout;
        IdleTimeout = settings.IdleTimeout;
        TraceBuffer = settings.TraceLimit > 0 ? new RelayTrace(Id, settings.TraceLimit) : null;
        _startedUtc = DateTime.UtcNow;
        _engine = engine(this);
        ListenEndPoint = _engine.ListenEndPoint;
    }

    /// <summary>
    /// Binds the listen endpoint, checks the target (a host name must resolve), and starts forwarding.
    /// A listen endpoint in use, a bad path or a name that does not resolve fail here, before anything runs.
    /// </summary>
    public static SocketRelay Start(RelaySettings settings, CancellationToken token)
    {
        var target = RelayTarget.Check(settings.Target, settings.ConnectTimeout, token);
        if (settings.Datagram)
        {
            var targetEndPoint = target.FirstEndPoint(settings.ConnectTimeout, token);
            var listener = DatagramRelayEngine.Bind(settings, token);
            return Begin(new SocketRelay(settings, relay => new DatagramRelayEngine(relay, listener, targetEndPoint)));
        }
        var streamListener = StreamRelayEngine.Listen(settings, token);
        return Begin(new SocketRelay(settings, relay => new StreamRelayEngine(relay, streamListener, target)));
    }

    private static SocketRelay Begin(SocketRelay relay)
    {
        relay._engine.Start();
        return relay;
    }

    /// <summary>The session-wide number of this relay, as Get-SocketRelay and Stop-SocketRelay take it.</summary>
    public int Id { get; }

    public string? Name { get; }

    /// <summary>The endpoint the relay listens on, as bound (an ephemeral port is known here).</summary>
    public EndPoint ListenEndPoint { get; }

    /// <summary>The listen endpoint in the one form endpoints print in: 127.0.0.1:8080, [::1]:8080, unix:/tmp/relay.sock.</summary>
    public string Listen => PsSocket.FormatEndPoint(ListenEndPoint);

    /// <summary>Where the relay forwards, as given: host:port or unix:/path.</summary>
    public string Target { get; }

    /// <summary>"Tcp", "Unix" or "Udp": how clients reach the relay.</summary>
    public string Protocol => IsDatagram ? "Udp" : ListenEndPoint is IPEndPoint ? "Tcp" : "Unix";

    public bool IsDatagram { get; }

    public RelayState State => _state;

    public DateTime Started => _startedUtc.ToLocalTime();
    private readonly DateTime _startedUtc;

    /// <summary>Connections (UDP: sessions) open now.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Connections (UDP: sessions) since the relay started.</summary>
    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    /// <summary>Bytes from clients passed on to the target.</summary>
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    /// <summary>Bytes from the target passed back to clients.</summary>
    public long BytesDown => Interlocked.Read(ref _bytesDown);

    /// <summary>The connections (UDP: sessions) open now, oldest first.</summary>
    public IReadOnlyList<RelayConnection> Connections
    {
        get
        {
            lock (_gate)
            {
                return _connections.Values.OrderBy(c => c.Id).ToArray();
            }
        }
    }

    /// <summary>The latest errors (at most 100), oldest first: refused targets, resets, failed accepts.</summary>
    public IReadOnlyList<RelayError> Errors => _errors.Latest;

    /// <summary>How many errors there were in all, including those no longer kept.</summary>
    public long ErrorCount => _errors.Count;

    /// <summary>How long connecting to the target may take for each client.</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>How long a UDP session may stay silent before it ends.</summary>
    public TimeSpan IdleTimeout { get; }

    public bool IsTracing => TraceBuffer is not null;

    /// <summary>The trace's budget in bytes; 0 when the relay does not trace.</summary>
    public long TraceLimit => TraceBuffer?.Limit ?? 0;

    /// <summary>What passed through, oldest first, when the relay traces (-Trace); empty otherwise.</summary>
    public IReadOnlyList<RelayTraceEntry> Trace => TraceBuffer?.Entries ?? [];

    /// <summary>How many trace entries were dropped to stay within <see cref="TraceLimit"/>.</summary>
    public long TraceDropped => TraceBuffer?.Dropped ?? 0;

    internal RelayTrace? TraceBuffer { get; }

    /// <summary>Raised once, when the relay is stopped (the session's list forgets it then).</summary>
    public event EventHandler? Stopped;

    /// <summary>Forgets the trace so far; the relay keeps tracing.</summary>
    public void ClearTrace() => TraceBuffer?.Clear();

    /// <summary>
    /// Stops at once: closes the listener (its port or path is free when this returns) and resets every
    /// open connection. Stopping twice is harmless.
    /// </summary>
    public void Stop()
    {
        Shutdown(RelayState.Stopped, wait: true);
        if (Interlocked.Exchange(ref _stoppedRaised, 1) == 0)
        {
            Stopped?.Invoke(this, EventArgs.Empty);
        }
    }

    public override string ToString()
    {
        string id = Name is null ? $"relay {Id}" : $"relay {Id} '{Name}'";
        return $"{id} ({(IsDatagram ? "Udp " : string.Empty)}{Listen} -> {Target})";
    }

    /// <summary>A new client: its connection, numbered; null when the relay is stopping and the client must go.</summary>
    internal RelayConnection? Open(EndPoint? client, System.Net.Sockets.Socket? clientSocket)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return null;
            }
            var connection = new RelayConnection(++_lastConnection, client, clientSocket);
            _connections.Add(connection.Id, connection);
            _totalConnections++;
            return connection;
        }
    }

    internal void Closed(RelayConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection.Id);
            Monitor.PulseAll(_gate);
        }
    }

    internal bool IsStopping
    {
        get
        {
            lock (_gate)
            {
                return _stopping;
            }
        }
    }

    /// <summary>
    /// Bytes the relay received from one side and is passing on to the other: counted and traced before the send, so a
    /// peer that has seen them finds them in the counters too.
    /// </summary>
    internal void Passing(RelayConnection connection, RelayDirection direction, ReadOnlySpan<byte> data)
    {
        connection.Count(direction, data.Length);
        Interlocked.Add(ref (direction == RelayDirection.Up ? ref _bytesUp : ref _bytesDown), data.Length);
        TraceBuffer?.Add(connection.Id, direction, data);
    }

    /// <summary>One side ended its stream (recv returned 0): traced, and the connection is half-closed.</summary>
    internal void Ended(RelayConnection connection, RelayDirection direction)
    {
        connection.Finished(direction);
        TraceBuffer?.AddEnd(connection.Id, direction);
    }

    internal void Record(RelayConnection? connection, SocketOperationException failure)
    {
        if (!IsStopping)
        {
            _errors.Add(new RelayError(connection?.Id ?? 0, connection?.Client, failure));
        }
    }

    /// <summary>The listener failed beyond retrying: the relay stops on its own and stays listed as Failed.</summary>
    internal void Fail(SocketOperationException failure)
    {
        Record(null, failure);
        Shutdown(RelayState.Failed, wait: false);
    }

    private void Shutdown(RelayState final, bool wait)
    {
        RelayConnection[] open;
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }
            _stopping = true;
            open = _connections.Values.ToArray();
        }
        _engine.StopListening();
        foreach (var connection in open)
        {
            connection.End(reset: true);
        }
        if (wait)
        {
            _engine.WaitForLoops(s_stopWait);
            WaitForConnections(s_stopWait);
        }
        _state = final;
    }

    /// <summary>Waits (a little) for the connections' tasks to see their sockets closed, so counters are final when Stop returns.</summary>
    private void WaitForConnections(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            while (_connections.Count > 0 && clock.Elapsed < limit)
            {
                Monitor.Wait(_gate, limit - clock.Elapsed);
            }
        }
    }
}

/// <summary>The part of a relay that listens and moves bytes: streams (TCP, unix) or UDP datagrams.</summary>
internal abstract class RelayEngine
{
    public abstract EndPoint ListenEndPoint { get; }

    public abstract void Start();

    /// <summary>Closes the listener: its port or path is free when this returns.</summary>
    public abstract void StopListening();

    public abstract void WaitForLoops(TimeSpan limit);
}
