using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>
/// Replays the client side of a recorded conversation against a server and writes the messages where the server's
/// answers differ from the recording: nothing at all when the server still speaks as it did.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "SocketReplay", DefaultParameterSetName = HostSet)]
[OutputType(typeof(SocketReplayResult))]
public sealed class InvokeSocketReplayCommand : SocketCmdlet
{
    private const string HostSet = "Host";
    private const string PathSet = "Path";
    private const string SocketSet = "Socket";

    /// <summary>The recorded conversation: Get-SocketTrace's entries (also after Import-Clixml or ConvertFrom-Json), or a socket's .Trace.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public PSObject?[] Trace { get; set; } = [];

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = HostSet)]
    [ValidateNotNullOrEmpty]
    [Alias("HostName", "Host", "Address")]
    public string ComputerName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = HostSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>A unix domain socket path to connect to, or "@name" for a Linux abstract name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>A connected socket to replay on (a TLS connection, one through a proxy); it stays open afterwards.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SocketSet)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    /// <summary>Which socket's conversation to replay when the trace holds several: its Id when it was traced.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TracedSocket { get; set; }

    /// <summary>Where the trace was recorded: Client (its sends are replayed) or Server (its receives are); by default Server when the traced socket was accepted.</summary>
    [Parameter]
    public SocketReplaySide RecordedOn { get; set; }

    /// <summary>How long each answer may take to come whole (and the connect), in seconds.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; } = 5;

    /// <summary>Writes one result per message, the equal ones and the sent ones too: a report of the whole replay.</summary>
    [Parameter]
    public SwitchParameter IncludeEqual { get; set; }

    private readonly List<SocketTraceEntry> _entries = [];

    protected override void Process()
    {
        foreach (var item in Trace ?? [])
        {
            try
            {
                _entries.AddRange(TraceEntryInput.From(item));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "NotATraceEntry", ErrorCategory.InvalidArgument, item));
            }
        }
    }

    protected override void End()
    {
        var replay = Plan();
        var timeout = TimeSpan.FromSeconds(Timeout);
        var socket = ParameterSetName == SocketSet ? Usable(Socket) : Connect(timeout);
        try
        {
            if (VerboseWanted)
            {
                Verbose(replay.Describe(socket.ToString()));
            }
            ReplayCallObserver? observe = TransferWanted ? (call, asked, result, payload) => WriteTransfer(call, socket, asked, result, payload) : null;
            foreach (var result in replay.Run(socket, timeout, StopToken, observe))
            {
                if (IncludeEqual || !result.IsEqual)
                {
                    WriteObject(result);
                }
            }
        }
        finally
        {
            if (ParameterSetName != SocketSet)
            {
                socket.Close();
            }
        }
    }

    private SocketReplay Plan()
    {
        try
        {
            return SocketReplay.Plan(_entries, IsBound(nameof(TracedSocket)) ? TracedSocket : null, IsBound(nameof(RecordedOn)) ? RecordedOn : null, WriteWarning);
        }
        catch (TraceReplayException e)
        {
            var category = e.Problem is TraceReplayProblem.AmbiguousTrace ? ErrorCategory.InvalidArgument : ErrorCategory.InvalidData;
            ThrowTerminatingError(new ErrorRecord(e, e.Problem.ToString(), category, e.Target));
            throw; // not reached
        }
    }

    /// <summary>A replay that cannot start is a terminating error: `Invoke-SocketReplay ... | Should -BeNullOrEmpty` must not pass on no output.</summary>
    private PsSocket Connect(TimeSpan timeout)
    {
        try
        {
            return ParameterSetName == PathSet
                ? SocketFactory.ConnectUnix(FileArguments.UnixSocket(this, Path), SocketType.Stream, null, new SocketOptions(), timeout, StopToken)
                : SocketFactory.Connect(ComputerName, Port, null, AddressFamily.Unspecified, new SocketOptions(), timeout, StopToken);
        }
        catch (SocketOperationException e)
        {
            ThrowTerminatingError(SocketErrors.ToRecord(e));
            throw; // not reached
        }
    }

    private PsSocket Usable(PsSocket socket)
    {
        if (socket.IsDatagram || socket.RemoteEndPoint is null || socket.IsClosed)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"Cannot replay a conversation on {socket}: it must be a connected stream socket (Connect-Socket)."),
                nameof(SocketFailure.NotConnected), ErrorCategory.InvalidOperation, socket));
        }
        return socket;
    }
}
