using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace PsSockets.HelpBuilder;

/// <summary>One cmdlet's page in PlatyPS's markdown schema, read into its parts.</summary>
internal sealed partial class HelpPage
{
    public required string Name { get; init; }
    public string Synopsis { get; private set; } = string.Empty;
    public List<string> Description { get; } = [];
    public List<(string Name, bool IsDefault)> ParameterSets { get; } = [];
    public List<Example> Examples { get; } = [];
    public List<Parameter> Parameters { get; } = [];
    public List<(string Type, List<string> Text)> Inputs { get; } = [];
    public List<(string Type, List<string> Text)> Outputs { get; } = [];
    public List<string> Notes { get; } = [];
    public List<(string Text, string Uri)> Links { get; } = [];

    public sealed record Example(string Title, string Code, string? Output, List<string> Remarks);

    public sealed class Parameter
    {
        public required string Name { get; init; }
        public List<string> Description { get; } = [];
        public Dictionary<string, string> Facts { get; } = new(StringComparer.OrdinalIgnoreCase);

        public string Fact(string key, string fallback = "") => Facts.TryGetValue(key, out var v) && v.Length > 0 ? v : fallback;

        /// <summary>The sets the parameter is in; "(All)" means every one.</summary>
        public IEnumerable<string> Sets => Fact("Parameter Sets", "(All)").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        public bool InSet(string set) => Sets.Any(s => s is "(All)" || s.Equals(set, StringComparison.OrdinalIgnoreCase));
    }

    public static HelpPage Read(string path)
    {
        var lines = File.ReadAllLines(path);
        int start = lines.Length > 0 && lines[0] == "---" ? Array.IndexOf(lines, "---", 1) + 1 : 0;
        var title = lines.Skip(start).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))
            ?? throw new InvalidDataException($"{path}: no '# Name' title");
        var page = new HelpPage { Name = title[2..].Trim() };
        foreach (var (heading, body) in Sections(lines.Skip(start).ToList(), "## "))
        {
            page.Fill(heading.ToUpperInvariant(), body, path);
        }
        return page;
    }

    private void Fill(string heading, List<string> body, string path)
    {
        switch (heading)
        {
            case "SYNOPSIS":
                Synopsis = string.Join(" ", Paragraphs(body).SelectMany(p => p.Split('\n')));
                break;
            case "SYNTAX":
                foreach (var (set, _) in Sections(body, "### "))
                {
                    bool isDefault = set.EndsWith("(Default)", StringComparison.Ordinal);
                    ParameterSets.Add((isDefault ? set[..^"(Default)".Length].Trim() : set, isDefault));
                }
                break;
            case "DESCRIPTION":
                Description.AddRange(Paragraphs(body));
                break;
            case "EXAMPLES":
                foreach (var (exampleTitle, text) in Sections(body, "### "))
                {
                    var blocks = CodeBlocks(text);
                    string code = blocks.FirstOrDefault(b => b.Language is "powershell" or "")?.Text
                        ?? throw new InvalidDataException($"{path}: example '{exampleTitle}' has no code block");
                    string? output = blocks.FirstOrDefault(b => b.Language == "output")?.Text;
                    Examples.Add(new Example(exampleTitle, code, output, Paragraphs(WithoutCode(text))));
                }
                break;
            case "PARAMETERS":
                foreach (var (name, text) in Sections(body, "### "))
                {
                    if (!name.StartsWith('-'))
                    {
                        continue; // CommonParameters
                    }
                    var parameter = new Parameter { Name = name[1..] };
                    parameter.Description.AddRange(Paragraphs(WithoutCode(text)));
                    foreach (var line in CodeBlocks(text).FirstOrDefault(b => b.Language == "yaml")?.Text.Split('\n') ?? [])
                    {
                        int colon = line.IndexOf(':', StringComparison.Ordinal);
                        if (colon > 0)
                        {
                            parameter.Facts[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                        }
                    }
                    Parameters.Add(parameter);
                }
                break;
            case "INPUTS":
                Inputs.AddRange(Sections(body, "### ").Select(s => (s.Heading, Paragraphs(s.Body))));
                break;
            case "OUTPUTS":
                Outputs.AddRange(Sections(body, "### ").Select(s => (s.Heading, Paragraphs(s.Body))));
                break;
            case "NOTES":
                Notes.AddRange(Paragraphs(body));
                break;
            case "RELATED LINKS":
                foreach (Match link in LinkPattern().Matches(string.Join("\n", body)))
                {
                    string uri = link.Groups[2].Value;
                    Links.Add((link.Groups[1].Value, uri.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? uri : string.Empty));
                }
                break;
        }
    }

    /// <summary>The parts under each heading that starts with <paramref name="marker"/>.</summary>
    internal static List<(string Heading, List<string> Body)> Sections(List<string> lines, string marker)
    {
        var sections = new List<(string, List<string>)>();
        bool inCode = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }
            if (!inCode && line.StartsWith(marker, StringComparison.Ordinal))
            {
                sections.Add((line[marker.Length..].Trim(), new List<string>()));
            }
            else if (sections.Count > 0)
            {
                sections[^1].Item2.Add(line);
            }
        }
        return sections;
    }

    internal sealed record CodeBlock(string Language, string Text);

    internal static List<CodeBlock> CodeBlocks(List<string> lines)
    {
        var blocks = new List<CodeBlock>();
        string? language = null;
        var text = new List<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (language is null)
                {
                    language = line[3..].Trim();
                    text.Clear();
                }
                else
                {
                    blocks.Add(new CodeBlock(language, string.Join("\n", text)));
                    language = null;
                }
            }
            else if (language is not null)
            {
                text.Add(line);
            }
        }
        return blocks;
    }

    private static List<string> WithoutCode(List<string> lines)
    {
        var kept = new List<string>();
        bool inCode = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }
            if (!inCode)
            {
                kept.Add(line);
            }
        }
        return kept;
    }

    /// <summary>Markdown paragraphs (blank-line separated), code blocks kept whole with their lines; list items stay on lines of their own.</summary>
    internal static List<string> Paragraphs(List<string> lines)
    {
        var paragraphs = new List<string>();
        var current = new List<string>();
        bool inCode = false;
        void Flush()
        {
            if (current.Count > 0)
            {
                paragraphs.Add(string.Join("\n", current));
                current.Clear();
            }
        }
        foreach (var raw in lines)
        {
            if (raw.StartsWith("```", StringComparison.Ordinal))
            {
                Flush(); // a code block is a paragraph of its own
                inCode = !inCode;
                continue;
            }
            if (inCode)
            {
                current.Add("    " + raw);
                continue;
            }
            if (string.IsNullOrWhiteSpace(raw))
            {
                Flush();
                continue;
            }
            string line = raw.TrimEnd();
            bool listItem = ListItemPattern().IsMatch(line) || line.StartsWith('|');
            if (current.Count > 0 && !listItem && !current[^1].StartsWith('|'))
            {
                current[^1] += " " + line.Trim(); // a wrapped line of the same paragraph
            }
            else
            {
                current.Add(line);
            }
        }
        Flush();
        return paragraphs;
    }

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)]*)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^\s*([-*]|\d+\.)\s")]
    private static partial Regex ListItemPattern();
}
