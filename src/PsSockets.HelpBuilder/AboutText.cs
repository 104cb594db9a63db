using System;
using System.Collections.Generic;
using System.Linq;

namespace PsSockets.HelpBuilder;

/// <summary>
/// An about_ topic in markdown as the plain text Get-Help shows: TOPIC first, headings in capitals, code indented,
/// emphasis marks dropped.
/// </summary>
internal static class AboutText
{
    public static string From(string[] lines)
    {
        var text = new List<string>();
        bool inCode = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }
            if (inCode)
            {
                text.Add("    " + line);
            }
            else if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                text.Add("TOPIC");
                text.Add("    " + line[2..].Trim());
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                text.Add(line[3..].Trim().ToUpperInvariant());
            }
            else if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                text.Add("  " + line[4..].Trim().ToUpperInvariant());
            }
            else
            {
                text.Add(MamlWriter.Plain(line));
            }
        }
        return string.Join(Environment.NewLine, text) + Environment.NewLine;
    }
}
