using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Stops tracing: given sockets, or (with no socket) the session's switch and every open socket. What was recorded stays readable.</summary>
[Cmdlet(VerbsLifecycle.Disable, "SocketTrace", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(PsSocket), ParameterSetName = [SocketSet])]
public sealed class DisableSocketTraceCommand : TraceSwitchCmdlet
{
    protected override void Process()
    {
        var sockets = SessionWide ? Registry.All : Socket;
        if (SessionWide)
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
