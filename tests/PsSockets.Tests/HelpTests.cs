using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Get-Help as a user meets it: the build turns docs/help into out/PsSockets/en-US, and every cmdlet's synopsis,
/// examples and parameters come back from Get-Help as the pages wrote them.
/// </summary>
public sealed partial class HelpTests(PsSession ps) : SocketTestBase(ps)
{
    public static TheoryData<string> Cmdlets => new(
        Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "docs", "help"), "*-*.md").Select(Path.GetFileNameWithoutExtension).Order()!);

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void GetHelpShowsThePagesSynopsisExamplesAndEveryParameter(string cmdlet)
    {
        string page = File.ReadAllText(Path.Combine(ModuleLayout.RepoRoot, "docs", "help", cmdlet + ".md"));
        string synopsis = Regex.Match(page, @"## SYNOPSIS\n(.+?)\n\n", RegexOptions.Singleline).Groups[1].Value.Replace("\n", " ").Replace("`", "");
        int examples = ExampleHeading().Matches(page).Count;

        var result = Ps.Run("""
            $help = Get-Help $args[0] -Full
            $help.Synopsis
            @($help.examples.example).Count
            @($help.examples.example)[0].code
            $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
            foreach ($name in (Get-Command $args[0]).Parameters.Keys | Where-Object { $_ -notin $common }) {
                $text = (Get-Help $args[0] -Parameter $name).description.Text -join ' '
                if ([string]::IsNullOrWhiteSpace($text)) { "no help for -$name" }
            }
            """, cmdlet).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(synopsis, result[0]);
        Assert.Equal(examples.ToString(), result[1]);
        Assert.InRange(examples, 2, int.MaxValue);
        Assert.Contains(cmdlet, result[2]);
        Assert.Empty(result.Skip(3));
    }

    [Fact]
    public void TheAboutTopicIsThere()
    {
        var text = (string)Ps.Run("Get-Help about_PsSockets").Ok().Single!;

        Assert.StartsWith("TOPIC", text.TrimStart());
        Assert.Contains("SHORT DESCRIPTION", text);
        Assert.Contains("Protect-Socket", text);
        Assert.DoesNotContain("```", text);
    }

    [GeneratedRegex(@"^### Example \d+", RegexOptions.Multiline)]
    private static partial Regex ExampleHeading();
}
