using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

namespace PsSockets.Pester;

/// <summary>
/// Every Pester file of the repository, run by Pester itself in a fresh runspace of the full engine: what a team
/// copies from tests/Pester and examples/ is known to pass, not only to parse.
/// </summary>
public sealed class PesterFilesTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    [Fact]
    public void EveryPesterFilePasses()
    {
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        ps.AddScript("""
            param($pester, $paths)
            Import-Module $pester -ErrorAction Stop
            $config = New-PesterConfiguration
            $config.Run.Path = $paths
            $config.Run.PassThru = $true
            $config.Output.Verbosity = 'None'
            $result = Invoke-Pester -Configuration $config
            $result.PassedCount
            foreach ($test in $result.Failed) { "$($test.ExpandedPath): $($test.ErrorRecord -join ' | ')" }
            foreach ($container in $result.Containers | Where-Object Result -eq 'Failed') {
                foreach ($e in $container.ErrorRecord) { "$($container.Item): $e" }
            }
            """)
            .AddArgument(Path.Combine(AppContext.BaseDirectory, "Pester", "Pester.psd1"))
            .AddArgument(new[] { Path.Combine(RepoRoot, "tests", "Pester"), Path.Combine(RepoRoot, "examples") });

        var output = ps.Invoke().Select(o => o?.BaseObject).ToList();

        Assert.True(ps.Streams.Error.Count == 0, string.Join("\n", ps.Streams.Error));
        var failures = output.Skip(1).Select(o => o?.ToString()).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} Pester failures:\n" + string.Join("\n", failures));
        Assert.InRange(Convert.ToInt32(output[0], System.Globalization.CultureInfo.InvariantCulture), 100, int.MaxValue);
    }

    internal static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PsSockets.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("PsSockets.sln not found above " + AppContext.BaseDirectory);
    }
}
