using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PsSockets.Commands;

/// <summary>
/// Stops servers: closes their listeners at once (the ports are free when it returns), lets running handlers
/// finish for up to -Timeout seconds, then stops the rest as Ctrl+C would and closes their client sockets.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "SocketServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SocketServer))]
public sealed class StopSocketServerCommand : SocketCmdlet
{
    private readonly List<SocketServer> _stopping = [];
    private readonly List<SocketServer> _stopped = [];
    private bool _handlersStopped;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ServerTransformation]
    [ArgumentCompleter(typeof(ServerCompleter))]
    [AllowNull]
    public SocketServer[] Server { get; set; } = [];

    /// <summary>How long running handlers may go on before they are stopped; 0 (the default) stops them at once.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        foreach (var server in Server ?? [])
        {
            if (server is null || _stopped.Contains(server) || !ShouldProcess(server.ToString(), "Stop"))
            {
                continue;
            }
            server.StopAccepting(); // every listener closes at once; the handlers share one -Timeout in End
            Verbose($"Stopped accepting: {server}, {server.Active} handlers running.");
            _stopped.Add(server);
            if (server.IsHandlerRunspace(Runspace.DefaultRunspace))
            {
                // A handler stops its own server: it cannot wait here for itself to end, so the wait and the
                // stop go on in the background, and -Timeout is the time this handler too has left.
                server.StopHandlersLater(TimeSpan.FromSeconds(Timeout));
                continue;
            }
            _stopping.Add(server);
        }
    }

    protected override void End()
    {
        var waiting = Stopwatch.StartNew();
        foreach (var server in _stopping)
        {
            var left = TimeSpan.FromSeconds(Timeout) - waiting.Elapsed;
            server.WaitForHandlers(left > TimeSpan.Zero ? left : TimeSpan.Zero, StopToken);
        }
        var stopped = StopHandlers();
        foreach (var (server, running, ended) in stopped)
        {
            if (!ended)
            {
                WriteWarning($"{server.Active} handlers of {server} are in calls that ignore a stop; their client sockets are closed, "
                    + "and the server is Stopped when they return.");
            }
            else if (running > 0)
            {
                Verbose($"Stopped {running} handlers of {server}.");
            }
        }
        if (PassThru)
        {
            WriteObject(_stopped, enumerateCollection: true);
        }
    }

    /// <summary>
    /// Ctrl+C during the wait, or even before it began: the handlers are stopped at once all the same. Stopping the
    /// servers was asked for; only the patience ran out.
    /// </summary>
    protected override void Release() => StopHandlers();

    private List<(SocketServer Server, int Running, bool Ended)> StopHandlers()
    {
        var stopped = new List<(SocketServer, int, bool)>();
        if (!_handlersStopped)
        {
            _handlersStopped = true;
            foreach (var server in _stopping)
            {
                int running = server.Active;
                stopped.Add((server, running, server.StopHandlers()));
            }
        }
        return stopped;
    }
}
