using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>The servers this session started (Start-SocketListener -Handler) that have not stopped, like Get-Job for servers.</summary>
[Cmdlet(VerbsCommon.Get, "SocketServer", DefaultParameterSetName = AllSet)]
[OutputType(typeof(SocketServer))]
public sealed class GetSocketServerCommand : SocketCmdlet
{
    private const string AllSet = "All";
    private const string IdSet = "Id";
    private const string NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
    public int[] Id { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [SupportsWildcards]
    public string[] Name { get; set; } = [];

    protected override void Process()
    {
        if (VerboseWanted)
        {
            Verbose($"No socket call: the {SessionServers.Current.All.Count} running server(s) of this session, from its own list.");
        }
        foreach (var (item, key, what) in SessionObjectLookup.Find(SessionServers.Current.All, ParameterSetName == IdSet ? Id : null, ParameterSetName == NameSet ? Name : null))
        {
            Emit(item, key, what);
        }
    }

    private void Emit(SocketServer? server, string key, string what)
    {
        if (server is null)
        {
            WriteError(new ErrorRecord(
                new ItemNotFoundException($"No running server has {what} '{key}' in this session."),
                "SocketServerNotFound", ErrorCategory.ObjectNotFound, key));
        }
        else
        {
            WriteObject(server);
        }
    }
}
