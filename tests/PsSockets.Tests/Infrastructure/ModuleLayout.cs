using System;
using System.IO;

namespace PsSockets.Tests.Infrastructure;

/// <summary>Where the repository and the built module are, found from the test binaries upward.</summary>
public static class ModuleLayout
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The importable module folder that `dotnet build` assembles.</summary>
    public static string ModulePath => Path.Combine(RepoRoot, "out", "PsSockets");

    public static string PeersDirectory => Path.Combine(AppContext.BaseDirectory, "peers");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PsSockets.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"PsSockets.sln not found above {AppContext.BaseDirectory}.");
    }
}
