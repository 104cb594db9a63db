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
        var all = SessionRelays.Current.All;
        switch (ParameterSetName)
        {
            case IdSet:
                foreach (int id in Id)
                {
                    Emit(all.FirstOrDefault(r => r.Id == id), id.ToString(CultureInfo.InvariantCulture), "id");
                }
                break;
            case NameSet:
                foreach (string name in Name)
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    var matches = all.Where(r => r.Name is not null && pattern.IsMatch(r.Name)).ToList();
                    matches.ForEach(r => Emit(r, name, "name"));
                    if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                    {
                        Emit(null, name, "name");
                    }
                }
                break;
            default:
                foreach (var relay in all)
                {
                    Emit(relay, string.Empty, string.Empty);
                }
                break;
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
