using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// Lets a socket parameter take a socket's id or name as well as the socket itself, so
/// <c>Receive-SocketData 3</c> and tab completion work. Arrays are converted item by item.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class SocketTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = Unwrap(inputData);
        if (value is null or PsSocket or PsSocket[])
        {
            return value;
        }
        if (value is IEnumerable items and not string)
        {
            return ToSockets(items);
        }
        return ToSocket(value);
    }

    private static object?[] ToSockets(IEnumerable items)
    {
        var converted = items.Cast<object?>().Select(i => ToSocket(Unwrap(i))).ToArray();
        // A PsSocket[] binds as it is; an object[] the binder would convert item by item, which is slow for many sockets.
        return Array.TrueForAll(converted, c => c is null or PsSocket) ? Array.ConvertAll(converted, c => (PsSocket?)c) : converted;
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

    private static object? ToSocket(object? value)
    {
        switch (value)
        {
            case null or PsSocket:
                return value;
            case int or long or short or byte:
                return ById(Convert.ToInt32(value, CultureInfo.InvariantCulture));
            case string text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id):
                return ById(id);
            case string name:
                var named = Registry.All.Where(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
                return named.Count == 1 ? named[0]
                    : throw new ArgumentTransformationMetadataException(named.Count == 0
                        ? $"No open socket is named '{name}' (Get-Socket lists them)."
                        : $"{named.Count} open sockets are named '{name}'; give the id instead.");
            default:
                return value; // let the binder report the wrong type
        }
    }

    private static SocketRegistry Registry => SessionSockets.Current;

    private static PsSocket ById(int id) =>
        Registry.Find(id) ?? throw new ArgumentTransformationMetadataException($"No open socket has id {id} (Get-Socket lists them).");
}

/// <summary>Completes a socket parameter with the ids of the session's sockets, showing their endpoints.</summary>
public sealed class SocketCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = wordToComplete.Trim('\'', '"');
        foreach (var socket in SessionSockets.Current.All)
        {
            string id = socket.Id.ToString(CultureInfo.InvariantCulture);
            if (id.StartsWith(prefix, StringComparison.Ordinal)
                || (socket.Name?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ?? false))
            {
                yield return new CompletionResult(id, $"{id} {socket.Name}".TrimEnd(), CompletionResultType.ParameterValue, socket.ToString());
            }
        }
    }
}
