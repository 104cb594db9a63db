using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PsSockets.Commands;

/// <summary>
/// One socket registry per runspace, like Get-Job's jobs. When the runspace closes, its sockets
/// close with it, so an ended session leaks none.
/// </summary>
internal static class SessionSockets
{
    private static readonly ConditionalWeakTable<Runspace, SocketRegistry> s_registries = new();
    private static readonly SocketRegistry s_outsideRunspace = new();

    public static SocketRegistry Current =>
        Runspace.DefaultRunspace is { } runspace ? Of(runspace) : s_outsideRunspace;

    /// <summary>The sockets of one runspace, e.g. a server handler's, from outside it.</summary>
    public static SocketRegistry Of(Runspace runspace) => s_registries.GetValue(runspace, Create);

    private static SocketRegistry Create(Runspace runspace)
    {
        var registry = new SocketRegistry();
        runspace.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
            {
                registry.CloseAll();
            }
        };
        return registry;
    }
}
