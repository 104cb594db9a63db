using System;
using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using PsSockets.Commands;

namespace PsSockets;

/// <summary>
/// A concurrent server (Start-SocketListener -Handler): a listener whose accepted connections each run the
/// handler script block in a runspace of their own, at most ThrottleLimit at a time. Get-SocketServer lists
/// the session's running servers; Stop-SocketServer stops one.
/// </summary>
public sealed class SocketServer : ISessionObject
{
    /// <summary>How many of the handlers' newest output objects <see cref="Output"/> keeps.</summary>
    public const int OutputLimit = 1000;

    /// <summary>How many of the handlers' newest errors <see cref="Errors"/> keeps.</summary>
    public const int ErrorLimit = 100;

    // How long stopped handlers get to end before their sockets are closed under them.
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(1);
    private static int s_lastId;
    private readonly ConnectionServer _server;
    private readonly HandlerRunspaces _runspaces;
    private readonly RecentItems<PSObject> _output = new(OutputLimit);
    private readonly RecentItems<ErrorRecord> _errors = new(ErrorLimit);

    internal SocketServer(PsSocket listener, string? name, ScriptBlock handler, object?[] arguments, IDictionary? usingValues,
        int throttleLimit, HandlerRunspaces runspaces)
    {
        Id = Interlocked.Increment(ref s_lastId);
        Name = name;
        Handler = handler;
        _runspaces = runspaces;
        var script = new ScriptHandler(handler.ToString(), arguments, usingValues, runspaces, _output.Add, _errors.Add);
        _server = new ConnectionServer(listener, throttleLimit, script.Serve);
        _server.Faulted += (_, e) => _errors.Add(ToRecord(e));
        _server.Ended += (_, _) =>
        {
            _runspaces.Dispose();
            Stopped?.Invoke(this, EventArgs.Empty);
        };
    }

    /// <summary>The session-wide number of this server, as Get-SocketServer and tab completion show it.</summary>
    public int Id { get; }

    public string? Name { get; set; }

    /// <summary>The listening socket; it is closed, and its port free, as soon as the server stops.</summary>
    public PsSocket Listener => _server.Listener;

    public EndPoint? LocalEndPoint => Listener.LocalEndPoint;

    public ServerState State => _server.State;

    /// <summary>The most handlers that run at once; further clients wait in the listener's backlog.</summary>
    public int ThrottleLimit => _server.ThrottleLimit;

    public DateTime Started => _server.Started;

    /// <summary>Connections accepted so far.</summary>
    public long Accepted => _server.Accepted;

    /// <summary>Handlers running now.</summary>
    public int Active => _server.Active;

    /// <summary>Handlers that returned.</summary>
    public long Completed => _server.Completed;

    /// <summary>Handlers that threw (their errors are in <see cref="Errors"/>) or could not start.</summary>
    public long Failed => _server.Failed;

    /// <summary>Handlers the server stopped (Stop-SocketServer, or the session ending).</summary>
    public long Interrupted => _server.Interrupted;

    public ScriptBlock Handler { get; }

    /// <summary>The handlers' errors, what they threw and what they wrote, oldest first: the newest <see cref="ErrorLimit"/>.</summary>
    public ErrorRecord[] Errors => _errors.ToArray();

    /// <summary>What the handlers output, oldest first: the newest <see cref="OutputLimit"/> objects.</summary>
    public PSObject[] Output => _output.ToArray();

    /// <summary>The connections being handled now.</summary>
    public PsSocket[] Clients => [.. _server.Clients];

    /// <summary>Raised once, when the server is Stopped.</summary>
    internal event EventHandler? Stopped;

    public override string ToString()
    {
        string id = Name is null ? $"server {Id}" : $"server {Id} '{Name}'";
        return $"{id} ({Listener.Protocol} {PsSocket.FormatEndPoint(LocalEndPoint)}, {State})";
    }

    internal void Start() => _server.Start();

    /// <summary>Closes the listener (its port is free when this returns); running handlers go on.</summary>
    internal void StopAccepting() => _server.StopAccepting();

    /// <summary>Waits for the running handlers to end by themselves: true when they all did.</summary>
    internal bool WaitForHandlers(TimeSpan? timeout, CancellationToken token) => _server.WaitForHandlers(timeout, token);

    /// <summary>Stops the running handlers as Ctrl+C would; false when some did not end even once their sockets were closed.</summary>
    internal bool StopHandlers() => _server.StopHandlers(s_stopGrace);

    /// <summary>True when the caller is one of this server's own handlers (it cannot wait for itself to end).</summary>
    internal bool IsHandlerRunspace(Runspace? runspace) => runspace is not null && _runspaces.Contains(runspace);

    /// <summary>Lets the handlers run for up to <paramref name="timeout"/>, then stops them, in the background.</summary>
    internal void StopHandlersLater(TimeSpan timeout) => Task.Run(() =>
    {
        _server.WaitForHandlers(timeout, CancellationToken.None);
        _server.StopHandlers(s_stopGrace);
    });

    private ErrorRecord ToRecord(Exception e) => e switch
    {
        SocketOperationException failure => SocketErrors.ToRecord(failure),
        IContainsErrorRecord { ErrorRecord: { } record } => record,
        _ => new ErrorRecord(e, "HandlerStartFailed", ErrorCategory.OpenError, this),
    };
}
