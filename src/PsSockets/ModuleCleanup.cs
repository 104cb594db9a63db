using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Remove-Module stops the session's servers, as the session ending does.</summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    public void OnRemove(PSModuleInfo psModuleInfo) => SessionServers.Current.StopAll();
}
