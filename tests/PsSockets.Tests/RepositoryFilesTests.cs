using System.IO;
using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Files people read or run without this suite: help pages, Pester tests, build.ps1, examples.</summary>
public sealed class RepositoryFilesTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void EveryCmdletAndEveryParameterHasAHelpPage()
    {
        var parameters = Ps.Run("""
            $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
            Get-Command -Module PsSockets | ForEach-Object {
                $name = $_.Name
                $_.Parameters.Keys | Where-Object { $_ -notin $common } | ForEach-Object { "$name|$_" }
            }
            """).Ok().Values.Cast<string>().ToList();
        Assert.NotEmpty(parameters);
        foreach (var entry in parameters)
        {
            var (command, parameter) = (entry.Split('|')[0], entry.Split('|')[1]);
            var page = Path.Combine(ModuleLayout.RepoRoot, "docs", "help", command + ".md");
            Assert.True(File.Exists(page), $"No help page for {command}");
            var text = File.ReadAllText(page);
            Assert.Contains("## EXAMPLES", text);
            Assert.Contains($"### -{parameter}\n", text.Replace("\r\n", "\n"));
        }
        Assert.True(File.Exists(Path.Combine(ModuleLayout.RepoRoot, "docs", "help", "about_PsSockets.md")));
    }

    [Fact]
    public void PesterTestsBuildScriptAndExamplesParse()
    {
        var files = Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "tests", "Pester"), "*.ps1")
            .Concat(Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "examples"), "*.ps1"))
            .Append(Path.Combine(ModuleLayout.RepoRoot, "build.ps1"))
            .ToList();
        Assert.Contains(files, f => f.EndsWith(".Tests.ps1", System.StringComparison.Ordinal));
        foreach (var file in files)
        {
            System.Management.Automation.Language.Parser.ParseFile(file, out _, out var errors);
            Assert.True(errors.Length == 0, $"{file}: {string.Join("; ", errors.Select(e => e.ToString()))}");
        }
    }
}
