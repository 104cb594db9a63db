using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Starts tracing: given sockets from now on, or (with no socket) every socket the session makes from now on.</summary>
[Cmdlet(VerbsLifecycle.Enable, "SocketTrace", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(PsSocket), ParameterSetName = [SocketSet])]
public sealed class EnableSocketTraceCommand : TraceSwitchCmdlet
{
    /// <summary>The most each trace keeps, in bytes (1 MiB by default); a socket already traced with another limit starts a new trace.</summary>
    [Parameter]
    [ValidateRange(SocketTrace.EntryCost, long.MaxValue)]
    public long Limit { get; set; } = SocketTrace.DefaultLimit;

    protected override void Process()
    {
        if (SessionWide)
        {
            Registry.TraceLimit = Limit;
            WriteVerbose($"Every socket this session makes from now on is traced, keeping up to {Limit} bytes each.");
            return;
        }
        foreach (var socket in Socket)
        {
            socket.StartTrace(Limit);
            WriteVerbose($"Tracing {socket}, keeping up to {Limit} bytes.");
            if (PassThru)
            {
                WriteObject(socket);
            }
        }
    }
}
