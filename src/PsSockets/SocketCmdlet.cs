using System;
using System.Management.Automation;
using System.Threading;

namespace PsSockets.Commands;

/// <summary>
/// The base of every PsSockets cmdlet: one cancellation source that StopProcessing (Ctrl+C)
/// signals, and the one place where core failures become ErrorRecords and stops become
/// pipeline stops.
/// </summary>
public abstract class SocketCmdlet : PSCmdlet, IDisposable
{
    /// <summary>The largest -Timeout in seconds (about 24 days, what a CancellationTokenSource timer takes).</summary>
    internal const double MaxTimeout = 2_000_000;

    private readonly CancellationTokenSource _stopping = new();
    private bool? _verboseWanted;
    private bool? _debugWanted;
    private SocketCallLog? _calls;

    protected CancellationToken StopToken => _stopping.Token;

    protected static SocketRegistry Registry => SessionSockets.Current;

    protected override void StopProcessing() => _stopping.Cancel();

    protected sealed override void BeginProcessing()
    {
        _oneStreamForEveryItem = MyInvocation.ExpectingInput && ItemSocket is { IsDatagram: false }; // null now when it comes piped
        Guard(Begin);
    }

    protected sealed override void ProcessRecord() => Guard(Process);

    protected sealed override void EndProcessing() => Guard(End);

    protected virtual void Begin()
    {
    }

    protected abstract void Process();

    protected virtual void End()
    {
    }

    /// <summary>A -Timeout given on the command line, or null when it was left out.</summary>
    protected TimeSpan? BoundTimeout(double seconds, string parameterName = "Timeout") =>
        MyInvocation.BoundParameters.ContainsKey(parameterName) ? TimeSpan.FromSeconds(seconds) : null;

    protected bool IsBound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

    /// <summary>
    /// True when this call's verbose messages are shown (-Verbose, or $VerbosePreference); asked before a message is
    /// formatted, and once per call, so an unasked message costs nothing. -Debug alone does not count: the engine
    /// would have every verbose message ask "Continue with this operation?" under it, where a host can prompt.
    /// </summary>
    protected bool VerboseWanted => _verboseWanted ??= Flag("Verbose") ?? PreferenceShows("VerbosePreference");

    /// <summary>True when this call's debug messages are shown (-Debug or $DebugPreference): the only way payload bytes are ever written.</summary>
    protected bool DebugWanted => _debugWanted ??= Flag("Debug") ?? PreferenceShows("DebugPreference");

    /// <summary>
    /// After one transfer: with -Verbose the call and its sizes (never the bytes), as <c>send(#3, 5 bytes) -> 5</c>;
    /// with -Debug also the first bytes of <paramref name="payload"/> (<see cref="PayloadDump"/>).
    /// Callers check <see cref="VerboseWanted"/> or <see cref="DebugWanted"/> before building the texts.
    /// </summary>
    protected void WriteTransfer(string call, PsSocket socket, string asked, string result, ReadOnlySpan<byte> payload)
    {
        WriteTransfer(call, socket, asked, result);
        if (DebugWanted)
        {
            WriteDebug(PayloadDump.Of($"{call}(#{socket.Id})", payload));
        }
    }

    /// <summary>As the other overload, for a transfer whose bytes were never in hand (a file or a stream): sizes only.</summary>
    protected void WriteTransfer(string call, PsSocket socket, string asked, string result)
    {
        if (VerboseWanted)
        {
            Verbose($"{call}(#{socket.Id}, {asked}) -> {result}");
        }
    }

    /// <summary>A verbose line after the socket calls the core has told of so far, so they read in the order they happened.</summary>
    protected void Verbose(string line)
    {
        WriteCalls();
        WriteVerbose(line);
    }

    /// <summary>Writes an object after the calls that made it: the next cmdlet of the pipeline runs inside this call.</summary>
    protected new void WriteObject(object? sendToPipeline)
    {
        WriteCalls();
        base.WriteObject(sendToPipeline);
    }

    protected new void WriteObject(object? sendToPipeline, bool enumerateCollection)
    {
        WriteCalls();
        base.WriteObject(sendToPipeline, enumerateCollection);
    }

    /// <summary>Writes the lines of the socket calls the core made (<see cref="SocketCallLog"/>), when -Verbose asks for them.</summary>
    protected void WriteCalls()
    {
        if (_calls is not null && !_stopping.IsCancellationRequested)
        {
            foreach (string line in _calls.Take())
            {
                WriteVerbose(line);
            }
        }
    }

    /// <summary>True when a transfer is to be told of: <see cref="VerboseWanted"/> or <see cref="DebugWanted"/>.</summary>
    protected bool TransferWanted => VerboseWanted || DebugWanted;

    private bool? Flag(string name) =>
        MyInvocation.BoundParameters.TryGetValue(name, out object? value) ? LanguagePrimitives.IsTrue(value) : null;

    private bool PreferenceShows(string variable) =>
        LanguagePrimitives.TryConvertTo(SessionState.PSVariable.GetValue(variable), out ActionPreference preference)
        && preference is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    /// <summary>
    /// The socket the cmdlet works on. Given once as an argument while the items come piped, a stream socket's
    /// first failure ends the pipeline: the items after it would follow a gap in the stream (a send cut short,
    /// an answer not read), or each pile up one more error on a dead connection, or each wait out -Timeout again.
    /// </summary>
    protected virtual PsSocket? ItemSocket => null;

    private bool _oneStreamForEveryItem;

    /// <summary>Writes a socket's failure as this item's error; the pipeline goes on.</summary>
    protected void WriteSocketError(SocketOperationException e) => WriteError(SocketErrors.ToRecord(e));

    public void Dispose()
    {
        Release();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs when the engine is done with the cmdlet, also after Ctrl+C (then End never runs): what must happen even so.</summary>
    protected virtual void Release()
    {
    }

    private void Guard(Action step)
    {
        try
        {
            // With -Verbose the core tells of its socket calls on this thread; they are written before what the step ends with (an error too).
            using var scope = SocketCallLog.Open(VerboseWanted ? _calls ??= new SocketCallLog() : null);
            try
            {
                step();
            }
            finally
            {
                WriteCalls();
            }
        }
        catch (SocketOperationException e) when (_oneStreamForEveryItem)
        {
            var record = SocketErrors.ToRecord(e);
            record.ErrorDetails = new ErrorDetails($"{e.Message} The piped input after it was not sent.");
            ThrowTerminatingError(record);
        }
        catch (SocketOperationException e)
        {
            WriteSocketError(e);
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            var category = e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.ResourceUnavailable;
            WriteError(new ErrorRecord(e, "FileAccessFailed", category, null));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }
}
