using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;
using Xunit;

namespace PsSockets.Pester;

/// <summary>
/// Every example of docs/help runs, in a fresh runspace of the full engine, and what its page shows as output must
/// come out, in order: so the pages cannot rot. Numbers (ports, ids, sizes, times) and long hex (thumbprints,
/// generated names) match any number or hex; spacing and line wrapping do not matter; "What if:" lines are the
/// host's and are not captured. An error the example did not show fails it.
/// </summary>
public sealed partial class DocsExamplesTests
{
    private static readonly string RepoRoot = PesterFilesTests.FindRepoRoot();

    /// <summary>
    /// The peers some examples tell the reader to start by hand, on the ports they name: started here for those
    /// examples (the program, its arguments, and the line it prints once it listens).
    /// </summary>
    private static readonly Dictionary<string, (string File, string[] Arguments, string Ready)> s_peers = new()
    {
        ["Connect-Socket: Example 15"] = ("ncat", ["-v", "-l", "--proxy-type", "http", "--allow", "127.0.0.1", "127.0.0.1", "3128"], "Listening on"),
        ["Connect-Socket: Example 16"] = ("python3", ["-u", Path.Combine(RepoRoot, "tests", "PsSockets.Tests", "peers", "socks5_proxy.py"), "userpass", "alice", "s3cret", "--port=1080"], "LISTENING"),
    };

    public static TheoryData<string> Pages => new(
        Directory.GetFiles(Path.Combine(RepoRoot, "docs", "help"), "*-*.md").Select(Path.GetFileNameWithoutExtension).Order()!);

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryExampleShowsWhatItsPageSays(string page)
    {
        string text = File.ReadAllText(Path.Combine(RepoRoot, "docs", "help", page + ".md"));
        var failures = new List<string>();
        int ran = 0;
        foreach (Match example in ExamplePattern().Matches(text))
        {
            string title = example.Groups[1].Value.Trim();
            string key = $"{page}: {title.Split(':')[0]}";
            using var peer = s_peers.TryGetValue(key, out var needed) ? ExamplePeer.Start(needed.File, needed.Arguments, needed.Ready) : null;
            string code = CodePattern().Match(example.Groups[2].Value).Groups[1].Value;
            string shown = OutputPattern().Match(example.Groups[2].Value).Groups[1].Value;
            ran++;
            if (Mismatch(code, shown) is { } why)
            {
                failures.Add($"{title}: {why}");
            }
        }
        Assert.True(failures.Count == 0, $"{page}: {failures.Count} of {ran} examples differ from the page:\n" + string.Join("\n", failures));
    }

    /// <summary>Runs one example; null when its output shows all the page says, else what is missing.</summary>
    private static string? Mismatch(string code, string shown)
    {
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        ps.AddScript("""
            param($module, $code)
            Import-Module $module
            Set-Location ([IO.Path]::GetTempPath())
            $errors = [System.Collections.Generic.List[string]]::new()
            # Formatted as the objects come, as a prompt shows them (a server stopped later still shows Running).
            & ([scriptblock]::Create($code)) *>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add("ERROR: " + $_.Exception.Message) }; $_ } | Out-String -Width 400
            $errors
            """)
            .AddArgument(Path.Combine(RepoRoot, "out", "PsSockets"))
            .AddArgument(code);
        var pending = ps.BeginInvoke();
        if (!pending.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)))
        {
            ps.Stop();
            return "it did not end within 60 s";
        }
        var output = ps.EndInvoke(pending).Select(o => o?.ToString() ?? string.Empty).ToList();
        string actual = string.Concat(output.Where(o => !o.StartsWith("ERROR: ", StringComparison.Ordinal)));
        string shownText = Normal(shown);
        foreach (var error in output.Where(o => o.StartsWith("ERROR: ", StringComparison.Ordinal)))
        {
            if (!shownText.Contains(Normal(error["ERROR: ".Length..]), StringComparison.Ordinal))
            {
                return $"it wrote an error its page does not show: {error["ERROR: ".Length..]}";
            }
        }
        actual = ErrorPosition().Replace(actual, string.Empty); // ConciseView's "Line |" block: where the error was, not what
        actual = ErrorMessagePrefix().Replace(actual, string.Empty);
        string got = Normal(actual);
        int at = 0;
        foreach (string line in shown.Split('\n'))
        {
            if (line.StartsWith("What if:", StringComparison.Ordinal))
            {
                continue;
            }
            string wanted = Normal(StreamPrefix().Replace(line, string.Empty));
            if (wanted.Length == 0)
            {
                continue;
            }
            int found = got.IndexOf(wanted, at, StringComparison.Ordinal);
            if (found < 0)
            {
                return $"'{line.Trim()}' did not come out; what did:\n{actual.Trim()}";
            }
            at = found + wanted.Length;
        }
        return null;
    }

    private static string Normal(string text) =>
        Spaces().Replace(Digits().Replace(Hex().Replace(text, "#"), "#"), " ").Trim();

    [GeneratedRegex(@"(?ms)^### (Example \d+[^\n]*)\n(.*?)(?=^### |^## |\z)")]
    private static partial Regex ExamplePattern();

    [GeneratedRegex(@"(?s)```powershell\n(.*?)\n```")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"(?s)```output\n(.*?)\n```")]
    private static partial Regex OutputPattern();

    [GeneratedRegex(@"(?m)^Line \|\r?\n\s*\d+ \|.*\r?\n\s*\|\s*~+\s*\r?\n")]
    private static partial Regex ErrorPosition();

    [GeneratedRegex(@"(?m)^\s*\| ")]
    private static partial Regex ErrorMessagePrefix();

    [GeneratedRegex(@"^(VERBOSE|WARNING|DEBUG): ")]
    private static partial Regex StreamPrefix();

    [GeneratedRegex(@"\b[0-9A-Fa-f]*\d[0-9A-Fa-f]*[A-Fa-f][0-9A-Fa-f]*\b|\b[0-9A-Fa-f]*[A-Fa-f][0-9A-Fa-f]*\d[0-9A-Fa-f]*\b")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
