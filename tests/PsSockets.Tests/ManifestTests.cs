using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>The built module folder: what it exports, what it declares.</summary>
public sealed class ManifestTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void ManifestExportsExactlyTheCmdletClassesInTheAssembly()
    {
        var exported = Ps.Run("(Get-Module PsSockets).ExportedCmdlets.Keys").Ok().Values.Cast<string>().Order().ToList();
        var classes = Ps.Run("""
            [PsSockets.Commands.SocketCmdlet].Assembly.GetTypes() |
                ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
                ForEach-Object { "$($_.VerbName)-$($_.NounName)" }
            """).Ok().Values.Cast<string>().Order().ToList();
        var declared = Ps.Run("(Test-ModuleManifest $args[0]).ExportedCmdlets.Keys",
            System.IO.Path.Combine(ModuleLayout.ModulePath, "PsSockets.psd1")).Ok().Values.Cast<string>().Order().ToList();

        Assert.Equal(classes, exported);
        Assert.Equal(classes, declared);
        Assert.Equal(30, classes.Count);
    }

    [Fact]
    public void ManifestDeclaresVersionEditionsAndNoWildcards()
    {
        var m = Ps.Run("Test-ModuleManifest $args[0]", System.IO.Path.Combine(ModuleLayout.ModulePath, "PsSockets.psd1")).Ok().Output.Single();
        Assert.Equal("7.4", m.Properties["PowerShellVersion"].Value.ToString());
        Assert.Equal(new[] { "Core" }, ((System.Collections.IEnumerable)m.Properties["CompatiblePSEditions"].Value).Cast<object>().Select(o => o.ToString()));
        Assert.Equal("PsSockets.dll", System.IO.Path.GetFileName(m.Properties["RootModule"].Value.ToString()));
        Assert.False(string.IsNullOrWhiteSpace(m.Properties["Description"].Value?.ToString()));
        Assert.False(string.IsNullOrWhiteSpace(m.Properties["Author"].Value?.ToString()));
        var text = System.IO.File.ReadAllText(System.IO.Path.Combine(ModuleLayout.RepoRoot, "PsSockets.psd1"));
        Assert.DoesNotContain("'*'", text);
    }

    [Fact]
    public void ManifestCarriesWhatTheGalleryShows()
    {
        var gallery = Ps.Run("""
            $m = Test-ModuleManifest $args[0]
            $m.Tags -contains 'tls'; $m.Tags -contains 'PSEdition_Core'
            $m.ProjectUri.IsAbsoluteUri; $m.LicenseUri.IsAbsoluteUri
            $m.ReleaseNotes -like '*CHANGELOG.md*'
            [IO.File]::Exists([IO.Path]::Combine($args[1], 'CHANGELOG.md'))
            [IO.File]::Exists([IO.Path]::Combine($m.ModuleBase, 'en-US', 'PsSockets.dll-Help.xml'))
            """, System.IO.Path.Combine(ModuleLayout.ModulePath, "PsSockets.psd1"), ModuleLayout.RepoRoot).Ok().Values;

        Assert.All(gallery, v => Assert.Equal(true, v));
        Assert.Equal(7, gallery.Count());
    }

    [Fact]
    public void ImportingUsesOnlyApprovedVerbsAndPrintsNoWarning()
    {
        var result = Ps.Run("Import-Module $args[0] -Force -WarningVariable w 3>$null; $w.Count", ModuleLayout.ModulePath).Ok();
        Assert.Equal(0, result.Single);
    }

    [Fact]
    public void SocketParametersCompleteWithOpenSocketIds()
    {
        var result = Ps.Run(ConnectedPair + """

            $line = 'Receive-SocketData -Socket '
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { "$($_.CompletionText)|$($_.ToolTip)" }
            """).Ok();
        var ids = Ps.Run("Get-Socket | ForEach-Object { \"$($_.Id)|$($_.ToString())\" }").Ok().Values;
        Assert.Equal(ids, result.Values);
    }

    [Theory]
    [InlineData("ConvertTo-SocketBytes ", "'!'|!: network byte order (big-endian), standard sizes: what protocols use")]
    [InlineData("ConvertTo-SocketBytes '!H", "'!HI'|I: unsigned 32-bit integer (an IPv4 address, htonl)")]
    [InlineData("ConvertFrom-SocketBytes -Format '<", "'<q'|q: signed 64-bit integer")]
    public void StructFormatsCompleteQuotedWithWhatEachCodeMeans(string line, string expected)
    {
        var matches = Ps.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object { \"$($_.CompletionText)|$($_.ToolTip)\" }", line).Ok().Values;

        Assert.Contains(expected, matches);
    }

    [Fact]
    public void EncodingCompletesWithTheNamesPsSocketsKnows()
    {
        var matches = Ps.Run("$line = 'Send-SocketData -Encoding ut'; (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText").Ok().Values;

        Assert.NotEmpty(matches);
        Assert.All(matches, m => Assert.StartsWith("ut", m!.ToString(), System.StringComparison.OrdinalIgnoreCase));
        Assert.Contains("utf8", matches.Select(m => m!.ToString()!.ToLowerInvariant()));
    }
}
