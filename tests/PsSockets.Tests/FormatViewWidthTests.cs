using System.IO;
using System.Linq;
using System.Xml.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Every table view fits an 80-column terminal: fixed widths and the spaces between columns, with room left for a last column that has none.</summary>
public sealed class FormatViewWidthTests
{
    [Fact]
    public void EveryTableViewFitsEightyColumns()
    {
        var views = XDocument.Load(Path.Combine(ModuleLayout.RepoRoot, "src", "PsSockets", "PsSockets.Format.ps1xml")).Descendants("View");
        var tooWide = views
            .Where(v => v.Element("TableControl") is not null)
            .Select(v =>
            {
                var columns = v.Descendants("TableColumnHeader").ToList();
                int fixedWidth = columns.Sum(c => (int?)c.Element("Width") ?? 0) + columns.Count - 1;
                bool lastIsOpen = columns.Count > 0 && columns[^1].Element("Width") is null;
                return (Name: v.Element("Name")!.Value, Width: fixedWidth + (lastIsOpen ? 10 : 0));
            })
            .Where(v => v.Width > 80)
            .ToList();

        Assert.True(tooWide.Count == 0, "wider than 80 columns: " + string.Join(", ", tooWide.Select(v => $"{v.Name} ({v.Width})")));
    }
}
