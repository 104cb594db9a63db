using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Lets a relay parameter take a relay's id or name as well as the relay itself (<c>Stop-SocketRelay 2</c>).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class RelayTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = Unwrap(inputData);
        return value is IEnumerable items and not string and not SocketRelay[]
            ? items.Cast<object?>().Select(i => ToRelay(Unwrap(i))).ToArray()
            : ToRelay(value);
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

    private static object? ToRelay(object? value)
    {
        switch (value)
        {
            case int or long or short or byte:
                return ById(Convert.ToInt32(value, CultureInfo.InvariantCulture));
            case string text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id):
                return ById(id);
            case string name:
                var named = SessionRelays.Current.All.Where(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
                return named.Count == 1 ? named[0]
                    : throw new ArgumentTransformationMetadataException(named.Count == 0
                        ? $"No relay of this session is named '{name}' (Get-SocketRelay lists them)."
                        : $"{named.Count} relays are named '{name}'; give the id instead.");
            default:
                return value; // a relay, null, or a wrong type the binder reports
        }
    }

    private static SocketRelay ById(int id) =>
        SessionRelays.Current.Find(id) ?? throw new ArgumentTransformationMetadataException($"No relay of this session has id {id} (Get-SocketRelay lists them).");
}

/// <summary>Completes a relay parameter with the ids of the session's relays, showing where they listen and forward.</summary>
public sealed class RelayCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = wordToComplete.Trim('\'', '"');
        foreach (var relay in SessionRelays.Current.All)
        {
            string id = relay.Id.ToString(CultureInfo.InvariantCulture);
            if (id.StartsWith(prefix, StringComparison.Ordinal)
                || (relay.Name?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ?? false))
            {
                yield return new CompletionResult(id, $"{id} {relay.Name}".TrimEnd(), CompletionResultType.ParameterValue, relay.ToString());
            }
        }
    }
}
