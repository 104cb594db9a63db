using System;
using System.IO;

namespace PsSockets.Shell;

/// <summary>
/// Where the PsSockets module to import is, first match wins:
/// 1. $env:PSSOCKETS_MODULE (a module folder or a .psd1), when set;
/// 2. Modules/PsSockets next to the shell's binaries (the copy a .NET tool package ships);
/// 3. out/PsSockets of the repository the shell was built in (walking up to PsSockets.sln).
/// </summary>
internal static class ModuleLocator
{
    public const string EnvironmentVariable = "PSSOCKETS_MODULE";

    public static string Locate(out string source)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            source = "$env:" + EnvironmentVariable;
            return Path.GetFullPath(fromEnvironment);
        }

        var shipped = Path.Combine(AppContext.BaseDirectory, "Modules", "PsSockets");
        if (File.Exists(Path.Combine(shipped, "PsSockets.psd1")))
        {
            source = "the tool package";
            return shipped;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PsSockets.sln")))
            {
                source = "the repository build";
                return Path.Combine(dir.FullName, "out", "PsSockets");
            }
        }

        throw new FileNotFoundException(
            $"The PsSockets module was not found: not in {shipped}, and {AppContext.BaseDirectory} is not inside a PsSockets repository. " +
            $"Build it with `dotnet build` or point ${EnvironmentVariable} at the module folder.");
    }
}
