using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PsSockets.Commands;

/// <summary>
/// One relay list per runspace, like its sockets (<see cref="SessionSockets"/>): when the runspace
/// closes or the module is removed, its relays stop, so an ended session leaves no port open.
/// </summary>
internal static class SessionRelays
{
    private static readonly ConditionalWeakTable<Runspace, RelayRegistry> s_registries = new();
    private static readonly RelayRegistry s_outsideRunspace = new();

    public static RelayRegistry Current =>
        Runspace.DefaultRunspace is { } runspace ? s_registries.GetValue(runspace, Create) : s_outsideRunspace;

    private static RelayRegistry Create(Runspace runspace)
    {
        var registry = new RelayRegistry();
        runspace.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
            {
                registry.StopAll();
            }
        };
        return registry;
    }
}
