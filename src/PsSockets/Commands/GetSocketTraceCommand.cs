using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>What traced sockets did: their trace entries, oldest first.</summary>
[Cmdlet(VerbsCommon.Get, "SocketTrace", DefaultParameterSetName = SocketSet)]
[OutputType(typeof(SocketTraceEntry))]
public sealed class GetSocketTraceCommand : SocketCmdlet
{
    private const string SocketSet = "Socket";
    private const string IdSet = "Id";

    /// <summary>The sockets whose traces to show; none: every traced socket of the session, open or among the last closed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = SocketSet)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket[]? Socket { get; set; }

    /// <summary>Socket ids, closed sockets included: the session keeps the traces of the last closed ones.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    public int[] Id { get; set; } = [];

    /// <summary>Only these events, e.g. Send, Receive.</summary>
    [Parameter]
    public SocketTraceEvent[]? Event { get; set; }

    /// <summary>Only the newest N entries of each socket.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void Process()
    {
        var sockets = ParameterSetName == IdSet ? Id.Select(ById).OfType<PsSocket>()
            : Socket ?? TracedSockets.Of(Registry);
        foreach (var socket in sockets)
        {
            Emit(socket);
        }
    }

    private PsSocket? ById(int id)
    {
        var socket = TracedSockets.Find(Registry, id);
        if (socket is null)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No socket has id {id} in this session, open or among the last {SocketRegistry.ClosedTracesKept} traced sockets closed."),
                "SocketNotFound", ErrorCategory.ObjectNotFound, id));
        }
        return socket;
    }

    private void Emit(PsSocket socket)
    {
        if (socket.Trace is not { } trace)
        {
            WriteError(new ErrorRecord(new PSInvalidOperationException($"{socket} has no trace: give -Trace when making a socket, or Enable-SocketTrace to start one now."),
                "SocketNotTraced", ErrorCategory.InvalidOperation, socket));
            return;
        }
        var entries = trace.Entries.AsEnumerable();
        if (Event is { } events)
        {
            entries = entries.Where(e => events.Contains(e.Event));
        }
        if (IsBound(nameof(Last)))
        {
            entries = entries.TakeLast(Last);
        }
        if (trace.Dropped > 0)
        {
            WriteWarning($"The trace of {socket} dropped its {trace.Dropped} oldest entries to stay within its budget of {trace.Limit} bytes (-TraceLimit).");
        }
        if (VerboseWanted)
        {
            WriteVerbose($"The trace of {socket}: {trace.Entries.Count} entries kept of {trace.Recorded} recorded, {trace.Cost} of {trace.Limit} bytes{(trace.IsRecording ? "" : ", paused")}.");
        }
        WriteObject(entries, enumerateCollection: true);
    }
}
