using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>The relays this session started and has not stopped, or (-Trace) what passed through them.</summary>
[Cmdlet(VerbsCommon.Get, "SocketRelay", DefaultParameterSetName = AllSet)]
[OutputType(typeof(SocketRelay), typeof(RelayTraceEntry))]
public sealed class GetSocketRelayCommand : SocketCmdlet
{
    private const string AllSet = "All";
    private const string IdSet = "Id";
    private const string NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    public int[] Id { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [SupportsWildcards]
    public string[] Name { get; set; } = [];

    /// <summary>Writes the trace entries of the relays found (oldest first) instead of the relays.</summary>
    [Parameter]
    public SwitchParameter Trace { get; set; }

    protected override void Process()
    {
        if (VerboseWanted)
        {
            Verbose($"No socket call: the {SessionRelays.Current.All.Count} running relay(s) of this session, from its own list.");
        }
        foreach (var (item, key, what) in SessionObjectLookup.Find(SessionRelays.Current.All, ParameterSetName == IdSet ? Id : null, ParameterSetName == NameSet ? Name : null))
        {
            Emit(item, key, what);
        }
    }

    private void Emit(SocketRelay? relay, string key, string what)
    {
        if (relay is null)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No relay of this session has {what} '{key}'."),
                "RelayNotFound", ErrorCategory.ObjectNotFound, key));
        }
        else if (Trace)
        {
            WriteObject(relay.Trace, enumerateCollection: true);
        }
        else
        {
            WriteObject(relay);
        }
    }
}
