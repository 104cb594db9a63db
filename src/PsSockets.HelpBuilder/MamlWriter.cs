using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace PsSockets.HelpBuilder;

/// <summary>Help pages as one MAML file (the command help schema Get-Help reads, as PlatyPS's New-ExternalHelp writes it).</summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static XDocument Write(IEnumerable<HelpPage> pages) => new(
        new XDeclaration("1.0", "utf-8", null),
        new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), pages.Select(CommandOf)));

    private static XElement CommandOf(HelpPage page)
    {
        string[] verbNoun = page.Name.Split('-', 2);
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Command + "details",
                new XElement(Command + "name", page.Name),
                new XElement(Command + "verb", verbNoun[0]),
                new XElement(Command + "noun", verbNoun.ElementAtOrDefault(1) ?? string.Empty),
                Description(page.Synopsis)),
            Description(page.Description),
            new XElement(Command + "syntax", SyntaxItems(page)),
            new XElement(Command + "parameters", page.Parameters.Select(p => ParameterOf(p, set: null))),
            new XElement(Command + "inputTypes", page.Inputs.Select(i => new XElement(Command + "inputType", TypeOf(i.Type), Description(i.Text)))),
            new XElement(Command + "returnValues", page.Outputs.Select(o => new XElement(Command + "returnValue", TypeOf(o.Type), Description(o.Text)))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(page.Notes))),
            new XElement(Command + "examples", page.Examples.Select(ExampleOf)),
            new XElement(Command + "relatedLinks", page.Links.Select(l =>
                new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", l.Text), new XElement(Maml + "uri", l.Uri)))));
    }

    /// <summary>One syntax line per parameter set, with the parameters of that set (all of them when the page names no set).</summary>
    private static IEnumerable<XElement> SyntaxItems(HelpPage page)
    {
        var sets = page.ParameterSets.Count > 0 ? page.ParameterSets.Select(s => s.Name).ToList() : ["(All)"];
        return sets.Select(set => new XElement(Command + "syntaxItem",
            new XElement(Maml + "name", page.Name),
            page.Parameters.Where(p => set == "(All)" || p.InSet(set))
                .OrderBy(p => int.TryParse(p.Fact("Position"), out int position) ? position : int.MaxValue)
                .Select(p => ParameterOf(p, set))));
    }

    private static XElement ParameterOf(HelpPage.Parameter parameter, string? set)
    {
        string type = parameter.Fact("Type", "Object");
        bool isSwitch = type is "SwitchParameter";
        string position = parameter.Fact("Position", "Named");
        string aliases = parameter.Fact("Aliases", "none");
        return new XElement(Command + "parameter",
            new XAttribute("required", RequiredIn(parameter, set) ? "true" : "false"),
            new XAttribute("variableLength", type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", parameter.Fact("Accept wildcard characters", "False").StartsWith("True", StringComparison.OrdinalIgnoreCase) ? "true" : "false"),
            new XAttribute("pipelineInput", parameter.Fact("Accept pipeline input", "False")),
            new XAttribute("position", position.Equals("Named", StringComparison.OrdinalIgnoreCase) ? "named" : position),
            new XAttribute("aliases", aliases),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description),
            isSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), type),
            parameter.Fact("Accepted values") is { Length: > 0 } values
                ? new XElement(Command + "parameterValueGroup", values.Split(',', StringSplitOptions.TrimEntries).Select(v =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v)))
                : null,
            TypeOf(type),
            new XElement(Dev + "defaultValue", parameter.Fact("Default value", "None")));
    }

    /// <summary>"True", "False", or per set as PlatyPS writes it: "True (Path), False (Host)".</summary>
    private static bool RequiredIn(HelpPage.Parameter parameter, string? set)
    {
        string required = parameter.Fact("Required", "False");
        if (set is not null && required.Contains('(', StringComparison.Ordinal))
        {
            foreach (var part in required.Split(','))
            {
                if (part.Contains($"({set})", StringComparison.OrdinalIgnoreCase) || part.Contains("(All)", StringComparison.OrdinalIgnoreCase))
                {
                    return part.TrimStart().StartsWith("True", StringComparison.OrdinalIgnoreCase);
                }
            }
        }
        return required.StartsWith("True", StringComparison.OrdinalIgnoreCase);
    }

    private static XElement ExampleOf(HelpPage.Example example, int index)
    {
        var remarks = new List<string>();
        if (example.Output is { } output)
        {
            remarks.Add(output);
        }
        remarks.AddRange(example.Remarks);
        return new XElement(Command + "example",
            new XElement(Maml + "title", $"-------------------------- {example.Title} --------------------------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paras(remarks)));
    }

    private static XElement TypeOf(string type) =>
        new(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri"));

    private static XElement Description(string text) => new(Maml + "description", Paras([text]));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paras(paragraphs));

    private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", Plain(p)));

    /// <summary>Markdown emphasis and code marks are noise in a console: `x` and **x** become x.</summary>
    internal static string Plain(string text) =>
        text.Replace("**", string.Empty, StringComparison.Ordinal).Replace("`", string.Empty, StringComparison.Ordinal);
}
