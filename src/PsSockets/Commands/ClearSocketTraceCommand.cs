using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Forgets what traces recorded so far; tracing goes on.</summary>
[Cmdlet(VerbsCommon.Clear, "SocketTrace", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class ClearSocketTraceCommand : SocketCmdlet
{
    /// <summary>Sockets whose traces to clear; none: every traced socket of the session.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket[]? Socket { get; set; }

    protected override void Process()
    {
        foreach (var socket in Socket ?? TracedSockets.Of(Registry))
        {
            if (socket.Trace is { } trace && ShouldProcess(socket.ToString(), trace.Entries.Count == 1 ? "Clear the 1 entry of its trace" : $"Clear the {trace.Entries.Count} entries of its trace"))
            {
                trace.Clear();
                WriteVerbose($"Cleared the trace of {socket}; it goes on recording.");
            }
        }
    }
}
