using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>Where a concurrent server is in its life: serving, letting its running handlers end, or done.</summary>
public enum ServerState
{
    Running,
    Stopping,
    Stopped,
}

/// <summary>How one connection's handler ended.</summary>
public enum HandlerEnd
{
    /// <summary>It returned.</summary>
    Completed,

    /// <summary>It threw, or could not start.</summary>
    Failed,

    /// <summary>The server stopped it (Stop-SocketServer, or the session ending).</summary>
    Interrupted,
}

/// <summary>
/// Serves one accepted connection; the task ends when the handler does. <paramref name="stop"/> is
/// cancelled when the server stops its running handlers: the handler should end promptly then.
/// </summary>
public delegate Task<HandlerEnd> ConnectionHandler(PsSocket client, CancellationToken stop);

/// <summary>
/// The accept loop of a concurrent ("thread per client") server: a background thread accepts
/// connections and hands each to a handler, with at most <see cref="ThrottleLimit"/> handlers running.
/// It accepts only when a handler slot is free, so further clients wait in the listener's backlog
/// (the kernel's queue, -Backlog long), not in memory; the client socket is closed when its handler ends.
/// </summary>
public sealed class ConnectionServer
{
    // How long to wait before accepting again after a failed accept (e.g. out of descriptors), rather than spin.
    private static readonly TimeSpan s_acceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly ConnectionHandler _handler;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _accepting = new();
    private readonly CancellationTokenSource _stopHandlers = new();
    private readonly ConcurrentDictionary<int, PsSocket> _clients = new();
    private readonly ManualResetEventSlim _ended = new();
    private readonly object _gate = new();
    private readonly object _listenerGate = new();
    private readonly Thread _acceptThread;
    private ServerState _state = ServerState.Running;
    private bool _acceptLoopEnded;
    private long _accepted;
    private long _completed;
    private long _failed;
    private long _interrupted;
    private DateTime _startedUtc;

    public ConnectionServer(PsSocket listener, int throttleLimit, ConnectionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentOutOfRangeException.ThrowIfLessThan(throttleLimit, 1);
        if (!listener.IsListening)
        {
            throw new SocketOperationException(SocketFailure.NotListening, $"Cannot serve on {listener}: it is not listening.", listener);
        }
        Listener = listener;
        ThrottleLimit = throttleLimit;
        _handler = handler;
        _slots = new SemaphoreSlim(throttleLimit, throttleLimit);
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "PsSockets accept " + PsSocket.FormatEndPoint(listener.LocalEndPoint) };
    }

    public PsSocket Listener { get; }

    public int ThrottleLimit { get; }

    public ServerState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public DateTime Started => _startedUtc.ToLocalTime();

    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Handlers running now.</summary>
    public int Active => _clients.Count;

    public long Completed => Interlocked.Read(ref _completed);

    public long Failed => Interlocked.Read(ref _failed);

    public long Interrupted => Interlocked.Read(ref _interrupted);

    /// <summary>The connections being handled now.</summary>
    public IReadOnlyList<PsSocket> Clients => [.. _clients.Values];

    /// <summary>A failure outside any handler's own code: an accept that failed, or a handler that could not start.</summary>
    public event EventHandler<Exception>? Faulted;

    /// <summary>Raised once, when the server is Stopped: it no longer accepts and its last handler ended.</summary>
    public event EventHandler? Ended;

    public void Start()
    {
        _startedUtc = DateTime.UtcNow;
        _acceptThread.Start();
    }

    /// <summary>
    /// Closes the listener, so its port is free when this returns, and accepts no more; running handlers go on.
    /// The server is Stopping from then on (its port free), and Stopped once the last handler ends.
    /// </summary>
    public void StopAccepting()
    {
        _accepting.Cancel();
        CloseListener();
        if (Thread.CurrentThread != _acceptThread && _acceptThread.IsAlive)
        {
            _acceptThread.Join(TimeSpan.FromSeconds(5));
        }
        lock (_gate)
        {
            if (_state == ServerState.Running)
            {
                _state = ServerState.Stopping;
            }
        }
        EndIfDone();
    }

    /// <summary>Waits until every running handler has ended (true), the time is up or the caller stops (OperationCanceledException).</summary>
    public bool WaitForHandlers(TimeSpan? timeout, CancellationToken token) =>
        _ended.Wait(timeout ?? Timeout.InfiniteTimeSpan, token);

    /// <summary>
    /// Asks every running handler to stop, as Ctrl+C would; after <paramref name="grace"/>, closes the client
    /// sockets of those still running (a handler in a call that ignores a stop ends when its socket goes).
    /// True when all had ended within the second grace period.
    /// </summary>
    public bool StopHandlers(TimeSpan grace)
    {
        StopAccepting();
        _stopHandlers.Cancel();
        if (_ended.Wait(grace))
        {
            return true;
        }
        foreach (var client in _clients.Values)
        {
            client.Close(abort: true);
        }
        return _ended.Wait(grace);
    }

    private void AcceptLoop()
    {
        try
        {
            while (true)
            {
                _slots.Wait(_accepting.Token);
                if (AcceptNext() is not { } client)
                {
                    break;
                }
                Dispatch(client);
            }
        }
        catch (OperationCanceledException) when (_accepting.IsCancellationRequested)
        {
            // StopAccepting: the normal end.
        }
        finally
        {
            CloseListener();
            lock (_gate)
            {
                _acceptLoopEnded = true;
                if (_state == ServerState.Running && !_accepting.IsCancellationRequested)
                {
                    _state = ServerState.Stopping; // the listener was closed under us: serve no more
                }
            }
            EndIfDone();
        }
    }

    /// <summary>
    /// Closes the listener, one caller at a time: the accept loop and StopAccepting may both close it, and neither
    /// may go on (to say Stopping or Stopped) before the descriptor is really closed and the port free.
    /// </summary>
    private void CloseListener()
    {
        lock (_listenerGate)
        {
            Listener.Close();
        }
    }

    /// <summary>The next connection, or null when the listener is gone.</summary>
    private PsSocket? AcceptNext()
    {
        while (true)
        {
            try
            {
                var client = Listener.Accept(null, null, _accepting.Token);
                if (_accepting.IsCancellationRequested)
                {
                    client.Close(); // accepted as the server stopped: it will not be served
                    return null;
                }
                return client;
            }
            catch (SocketOperationException) when (Listener.IsClosed)
            {
                return null;
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.OperationTimeout)
            {
                // The listener's default timeout (-Timeout) limits each accept; the server waits on.
            }
            catch (SocketOperationException e)
            {
                Faulted?.Invoke(this, e);
                if (_accepting.Token.WaitHandle.WaitOne(s_acceptRetryDelay))
                {
                    return null;
                }
            }
        }
    }

    private void Dispatch(PsSocket client)
    {
        Interlocked.Increment(ref _accepted);
        _clients[client.Id] = client;
        Task<HandlerEnd> handling;
        try
        {
            handling = Listener.TlsServer is { } tls ? SecureThenHandle(client, tls) : _handler(client, _stopHandlers.Token);
        }
        catch (Exception e)
        {
            handling = Task.FromException<HandlerEnd>(e);
        }
        handling.ContinueWith(HandlerEnded, client, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// A TLS server's handshake, off the accept thread (a slow client must not hold up the next accept), within the
    /// listener's timeout (10 s when it has none: a client that never says hello must not hold a handler slot forever).
    /// </summary>
    private Task<HandlerEnd> SecureThenHandle(PsSocket client, TlsServerSettings tls)
    {
        var stop = _stopHandlers.Token;
        var limit = Listener.EffectiveTimeout(null) ?? s_handshakeLimit;
        // A thread of its own (LongRunning), not one of the pool's: a client that never says hello holds it for the whole limit.
        return Task.Factory.StartNew(() => client.AuthenticateAsServer(tls, limit, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .ContinueWith(secured => secured.IsCompletedSuccessfully ? _handler(client, stop) : secured.IsCanceled
                ? Task.FromResult(HandlerEnd.Interrupted)
                : Task.FromException<HandlerEnd>(secured.Exception!.InnerException!), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .Unwrap();
    }

    private static readonly TimeSpan s_handshakeLimit = TimeSpan.FromSeconds(10);

    private void HandlerEnded(Task<HandlerEnd> handling, object? state)
    {
        var client = (PsSocket)state!;
        var end = handling.Status == TaskStatus.RanToCompletion ? handling.Result : HandlerEnd.Failed;
        if (handling.Exception?.InnerException is { } e)
        {
            Faulted?.Invoke(this, e);
        }
        // Counted before the socket closes: a client that sees its connection end finds itself in the counts, not in Active.
        switch (end)
        {
            case HandlerEnd.Completed:
                Interlocked.Increment(ref _completed);
                break;
            case HandlerEnd.Interrupted:
                Interlocked.Increment(ref _interrupted);
                break;
            default:
                Interlocked.Increment(ref _failed);
                break;
        }
        _clients.TryRemove(client.Id, out _);
        client.Close();
        _slots.Release();
        EndIfDone();
    }

    private void EndIfDone()
    {
        lock (_gate)
        {
            if (!_acceptLoopEnded || !_clients.IsEmpty || _state != ServerState.Stopping)
            {
                return;
            }
            _state = ServerState.Stopped;
        }
        _ended.Set();
        Ended?.Invoke(this, EventArgs.Empty);
    }
}
