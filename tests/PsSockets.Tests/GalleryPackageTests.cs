using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// The PowerShell Gallery package the build writes (out/package/PsSockets.&lt;version&gt;.nupkg): the module at its root,
/// help included, described by the manifest's own words and tagged with every command as the Gallery expects.
/// </summary>
public sealed class GalleryPackageTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void ThePackageHoldsTheModuleAndTheManifestsDescription()
    {
        var manifest = Ps.Run("""
            $m = Test-ModuleManifest $args[0]
            $m.Version.ToString(); $m.Description; $m.ProjectUri.ToString()
            $m.ExportedCmdlets.Keys
            """, Path.Combine(ModuleLayout.ModulePath, "PsSockets.psd1")).Ok().Values.Select(v => v!.ToString()!).ToList();
        string package = Path.Combine(ModuleLayout.RepoRoot, "out", "package", $"PsSockets.{manifest[0]}.nupkg");
        Assert.True(File.Exists(package), $"{package} was not built (dotnet build builds it)");

        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Superset(new System.Collections.Generic.HashSet<string> { "PsSockets.psd1", "PsSockets.dll", "PsSockets.Core.dll", "PsSockets.Format.ps1xml", "en-US/PsSockets.dll-Help.xml",
            "en-US/about_PsSockets.help.txt", "README.md", "CHANGELOG.md" }, entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("content", StringComparison.Ordinal));

        using var nuspecStream = zip.GetEntry("PsSockets.nuspec")!.Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal("PsSockets", Field("id"));
        Assert.Equal(manifest[0], Field("version"));
        Assert.Equal(manifest[1], Field("description"));
        Assert.Equal(manifest[2], Field("projectUrl"));
        var tags = Field("tags").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("PSModule", tags);
        Assert.Contains("PSEdition_Core", tags);
        Assert.All(manifest.Skip(3), cmdlet => Assert.Contains($"PSCmdlet_{cmdlet}", tags));
        Assert.Empty(metadata.Elements().Where(e => e.Name.LocalName == "dependencies").SelectMany(e => e.Elements()));
    }
}
