using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Lets a server parameter take a running server's id or name as well as the server itself (Stop-SocketServer 2).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ServerTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => Unwrap(inputData) switch
    {
        null or SocketServer or SocketServer[] => Unwrap(inputData),
        IEnumerable items and not string => items.Cast<object?>().Select(i => ToServer(Unwrap(i))).ToArray(),
        var value => ToServer(value),
    };

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

    private static object? ToServer(object? value)
    {
        switch (value)
        {
            case int or long or short or byte:
                return ById(Convert.ToInt32(value, CultureInfo.InvariantCulture));
            case string text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id):
                return ById(id);
            case string name:
                var named = SessionServers.Current.All.Where(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
                return named.Count == 1 ? named[0]
                    : throw new ArgumentTransformationMetadataException(named.Count == 0
                        ? $"No running server is named '{name}' (Get-SocketServer lists them)."
                        : $"{named.Count} running servers are named '{name}'; give the id instead.");
            default:
                return value; // a server, null, or the wrong type for the binder to report
        }
    }

    private static SocketServer ById(int id) =>
        SessionServers.Current.All.FirstOrDefault(s => s.Id == id)
        ?? throw new ArgumentTransformationMetadataException($"No running server has id {id} (Get-SocketServer lists them).");
}

/// <summary>Completes a server parameter with the ids of the session's running servers, showing their endpoints.</summary>
public sealed class ServerCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = wordToComplete.Trim('\'', '"');
        foreach (var server in SessionServers.Current.All)
        {
            string id = server.Id.ToString(CultureInfo.InvariantCulture);
            if (id.StartsWith(prefix, StringComparison.Ordinal)
                || (server.Name?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ?? false))
            {
                yield return new CompletionResult(id, $"{id} {server.Name}".TrimEnd(), CompletionResultType.ParameterValue, server.ToString());
            }
        }
    }
}
