using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>The sockets this session opened and has not closed, like Get-Job for sockets.</summary>
[Cmdlet(VerbsCommon.Get, "Socket", DefaultParameterSetName = AllSet)]
[OutputType(typeof(PsSocket))]
public sealed class GetSocketCommand : SocketCmdlet
{
    private const string AllSet = "All";
    private const string IdSet = "Id";
    private const string NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    public int[] Id { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [SupportsWildcards]
    public string[] Name { get; set; } = [];

    [Parameter]
    public SocketState[]? State { get; set; }

    protected override void Process()
    {
        var all = Registry.All;
        switch (ParameterSetName)
        {
            case IdSet:
                foreach (int id in Id)
                {
                    var found = all.FirstOrDefault(s => s.Id == id);
                    Emit(found, id.ToString(System.Globalization.CultureInfo.InvariantCulture), "id");
                }
                break;
            case NameSet:
                foreach (string name in Name)
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    var matches = all.Where(s => s.Name is not null && pattern.IsMatch(s.Name)).ToList();
                    matches.ForEach(s => Emit(s, name, "name"));
                    if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                    {
                        Emit(null, name, "name");
                    }
                }
                break;
            default:
                all.ToList().ForEach(s => Emit(s, string.Empty, string.Empty));
                break;
        }
    }

    private void Emit(PsSocket? socket, string key, string what)
    {
        if (socket is null)
        {
            WriteError(new ErrorRecord(
                new ItemNotFoundException($"No open socket has {what} '{key}' in this session."),
                "SocketNotFound", ErrorCategory.ObjectNotFound, key));
        }
        else if (State is null || State.Contains(socket.State))
        {
            WriteObject(socket);
        }
    }
}
