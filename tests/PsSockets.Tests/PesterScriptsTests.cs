using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// The Pester files (tests/Pester, examples/*.Tests.ps1) run under pwsh and Pester elsewhere; here they are parsed, and every PsSockets
/// command, parameter and type they name must exist, so that a renamed parameter cannot leave them silently broken.
/// </summary>
public sealed class PesterScriptsTests(PsSession ps) : SocketTestBase(ps)
{
    /// <summary>Every Pester file of the repository: they run under real pwsh and Pester elsewhere, so here they are at least read.</summary>
    public static TheoryData<string> Files => new(
        Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "tests", "Pester"), "*.Tests.ps1")
            .Concat(Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "examples"), "*.Tests.ps1"))
            .Select(f => Path.GetRelativePath(ModuleLayout.RepoRoot, f)));

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryPsSocketsCommandParameterAndTypeItNamesExists(string file)
    {
        var ast = Parser.ParseFile(Path.Combine(ModuleLayout.RepoRoot, file), out _, out var errors);
        Assert.True(errors.Length == 0, string.Join("; ", errors.Select(e => e.ToString())));
        var commands = Ps.Run("Get-Command -Module PsSockets").Ok().Values.Cast<CommandInfo>().ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var moduleTypes = Ps.Run("[PsSockets.Commands.SocketCmdlet].Assembly, [PsSockets.PsSocket].Assembly").Ok().Values
            .Cast<System.Reflection.Assembly>().SelectMany(a => a.GetExportedTypes()).ToDictionary(t => t.FullName!, StringComparer.OrdinalIgnoreCase);

        var used = new List<string>();
        var missing = new List<string>();
        foreach (var command in ast.FindAll(a => a is CommandAst, searchNestedScriptBlocks: true).Cast<CommandAst>())
        {
            string? name = command.GetCommandName();
            if (name is null || !IsPsSocketsName(name))
            {
                continue;
            }
            if (!commands.TryGetValue(name, out var info))
            {
                missing.Add(name);
                continue;
            }
            foreach (var parameter in command.CommandElements.OfType<CommandParameterAst>())
            {
                used.Add($"{info.Name} -{parameter.ParameterName}");
                if (!Resolves(info, parameter.ParameterName))
                {
                    missing.Add($"{info.Name} -{parameter.ParameterName}");
                }
            }
        }
        foreach (var type in ast.FindAll(a => a is TypeExpressionAst or TypeConstraintAst, searchNestedScriptBlocks: true))
        {
            var typeName = type is TypeExpressionAst e ? e.TypeName : ((TypeConstraintAst)type).TypeName;
            if (!typeName.FullName.StartsWith("PsSockets.", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!moduleTypes.TryGetValue(typeName.FullName, out var found))
            {
                missing.Add($"[{typeName.FullName}]");
            }
            else if (type.Parent is InvokeMemberExpressionAst { Static: true, Member: StringConstantExpressionAst member }
                && found.GetMember(member.Value, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.IgnoreCase).Length == 0)
            {
                missing.Add($"[{typeName.FullName}]::{member.Value}");
            }
        }

        if (file.Contains("network-checks", StringComparison.OrdinalIgnoreCase) || file.Contains("NetworkChecks", StringComparison.Ordinal))
        {
            Assert.Contains("Test-SocketConnection -Quiet", used);
            Assert.Contains("Test-SocketConnection -Tls", used);
            Assert.Contains("Test-SocketConnection -Wait", used);
            Assert.Contains("Connect-Socket -Tls", used);
        }
        var unexpected = missing.Distinct().ToList();
        Assert.True(unexpected.Count == 0, $"{file} names what PsSockets does not have: {string.Join(", ", unexpected)}");
    }

    /// <summary>Verb-SocketNoun: the module's naming; other commands (Should, It, ForEach-Object) are not its business.</summary>
    private static bool IsPsSocketsName(string name) =>
        name.Split('-') is [_, var noun] && noun.StartsWith("Socket", StringComparison.OrdinalIgnoreCase);

    /// <summary>A parameter as PowerShell binds it: its name, an alias, or a prefix of exactly one name.</summary>
    private static bool Resolves(CommandInfo command, string written)
    {
        var parameters = command.Parameters.Values;
        if (parameters.Any(p => p.Name.Equals(written, StringComparison.OrdinalIgnoreCase) || p.Aliases.Contains(written, StringComparer.OrdinalIgnoreCase)))
        {
            return true;
        }
        return parameters.Count(p => p.Name.StartsWith(written, StringComparison.OrdinalIgnoreCase)) == 1;
    }
}
