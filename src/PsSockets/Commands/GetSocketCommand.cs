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
        if (VerboseWanted)
        {
            Verbose($"No socket call: the {Registry.Count} open socket(s) of this session, from its own list (as a C program keeps its descriptors).");
        }
        foreach (var (item, key, what) in SessionObjectLookup.Find(Registry.All, ParameterSetName == IdSet ? Id : null, ParameterSetName == NameSet ? Name : null))
        {
            Emit(item, key, what);
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
