using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Remove-Module PsSockets closes the sockets of the session that removes it, as the session's end would.</summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => SessionSockets.Current.CloseAll();
}
