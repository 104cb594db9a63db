using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Stops tracing: given sockets, or (with no socket) the session's switch and every open socket. What was recorded stays readable.</summary>
[Cmdlet(VerbsLifecycle.Disable, "SocketTrace", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(PsSocket), ParameterSetName = [SocketSet])]
public sealed class DisableSocketTraceCommand : SocketCmdlet
{
    private const string SessionSet = "Session";
    private const string SocketSet = "Socket";

    /// <summary>Sockets to stop tracing; without it, the session's switch goes off and every open socket stops tracing.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SocketSet)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket[] Socket { get; set; } = [];

    [Parameter(ParameterSetName = SocketSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        var sockets = ParameterSetName == SessionSet ? Registry.All : Socket;
        if (ParameterSetName == SessionSet)
        {
            Registry.TraceLimit = 0;
            WriteVerbose("New sockets of this session are no longer traced.");
        }
        foreach (var socket in sockets)
        {
            if (socket.Trace is { IsRecording: true })
            {
                socket.StopTrace();
                WriteVerbose($"Stopped tracing {socket}; what it recorded stays readable (Get-SocketTrace).");
            }
            if (PassThru)
            {
                WriteObject(socket);
            }
        }
    }
}
