using System;
using System.IO;
using System.Linq;
using System.Text;

namespace PsSockets.HelpBuilder;

/// <summary>
/// help-builder DOCS OUT: reads DOCS/*.md (one page per cmdlet, about_*.md topics) and writes OUT/PsSockets.dll-Help.xml
/// and OUT/about_*.help.txt. A page that cannot be read fails the build, naming the file.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: PsSockets.HelpBuilder <docs/help> <out/PsSockets/en-US>");
            return 2;
        }
        string docs = args[0], output = args[1];
        try
        {
            Directory.CreateDirectory(output);
            var files = Directory.GetFiles(docs, "*.md").OrderBy(f => f, StringComparer.Ordinal).ToList();
            var pages = files.Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase)).Select(HelpPage.Read).ToList();
            MamlWriter.Write(pages).Save(Path.Combine(output, "PsSockets.dll-Help.xml"));
            foreach (var about in files.Where(f => Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase)))
            {
                File.WriteAllText(Path.Combine(output, Path.GetFileNameWithoutExtension(about) + ".help.txt"),
                    AboutText.From(File.ReadAllLines(about)), new UTF8Encoding(false));
            }
            Console.WriteLine($"help: {pages.Count} cmdlets and {files.Count - pages.Count} about topics into {output}");
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
