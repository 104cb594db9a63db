using System.Management.Automation.Runspaces;

// pwsh's ConsoleHost with pwsh's command line (-NoProfile, -Command, -NoExit, ...).
return Microsoft.PowerShell.ConsoleShell.Start(InitialSessionState.CreateDefault2(), string.Empty, string.Empty, args);
