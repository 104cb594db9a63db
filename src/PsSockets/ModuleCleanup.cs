using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// Remove-Module PsSockets ends what the removing session started, as the session's end would: its servers
/// and relays stop, and its sockets close. (One cleanup class: the order matters, servers before their sockets.)
/// </summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        SessionServers.Current.StopAll();
        SessionRelays.Current.StopAll();
        SessionSockets.Current.CloseAll();
    }
}
