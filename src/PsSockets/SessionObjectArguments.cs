using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// Lets a parameter take one of the session's objects (a relay, a server) by id or name as well as itself
/// (<c>Stop-SocketRelay 2</c>, <c>Stop-SocketServer web</c>); arrays item by item.
/// </summary>
public abstract class SessionObjectTransformationAttribute<T> : ArgumentTransformationAttribute where T : class, ISessionObject
{
    /// <summary>The session's objects of this kind.</summary>
    protected abstract IReadOnlyList<T> Session { get; }

    /// <summary>"relay of this session", "running server": what the messages call one.</summary>
    protected abstract string Noun { get; }

    /// <summary>The cmdlet that lists them, for the messages.</summary>
    protected abstract string Lister { get; }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => Unwrap(inputData) switch
    {
        null or T or T[] => Unwrap(inputData),
        IEnumerable items and not string => items.Cast<object?>().Select(i => ToObject(Unwrap(i))).ToArray(),
        var value => ToObject(value),
    };

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

    private object? ToObject(object? value)
    {
        switch (value)
        {
            case int or long or short or byte:
                return ById(Convert.ToInt32(value, CultureInfo.InvariantCulture));
            case string text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id):
                return ById(id);
            case string name:
                var named = Session.Where(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
                return named.Count == 1 ? named[0]
                    : throw new ArgumentTransformationMetadataException(named.Count == 0
                        ? $"No {Noun} is named '{name}' ({Lister} lists them)."
                        : $"{named.Count} of them are named '{name}'; give the id instead.");
            default:
                return value; // the object itself, or a wrong type the binder reports
        }
    }

    private T ById(int id) =>
        Session.FirstOrDefault(o => o.Id == id) ?? throw new ArgumentTransformationMetadataException($"No {Noun} has id {id} ({Lister} lists them).");
}

/// <summary>Completes such a parameter with the ids of the session's objects, their names beside, and what each is in the tooltip.</summary>
public abstract class SessionObjectCompleter<T> : IArgumentCompleter where T : class, ISessionObject
{
    protected abstract IReadOnlyList<T> Session { get; }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = wordToComplete.Trim('\'', '"');
        foreach (var item in Session)
        {
            string id = item.Id.ToString(CultureInfo.InvariantCulture);
            if (id.StartsWith(prefix, StringComparison.Ordinal) || (item.Name?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ?? false))
            {
                yield return new CompletionResult(id, $"{id} {item.Name}".TrimEnd(), CompletionResultType.ParameterValue, item.ToString() ?? id);
            }
        }
    }
}

[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class RelayTransformationAttribute : SessionObjectTransformationAttribute<SocketRelay>
{
    protected override IReadOnlyList<SocketRelay> Session => SessionRelays.Current.All;
    protected override string Noun => "relay of this session";
    protected override string Lister => "Get-SocketRelay";
}

public sealed class RelayCompleter : SessionObjectCompleter<SocketRelay>
{
    protected override IReadOnlyList<SocketRelay> Session => SessionRelays.Current.All;
}

[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ServerTransformationAttribute : SessionObjectTransformationAttribute<SocketServer>
{
    protected override IReadOnlyList<SocketServer> Session => SessionServers.Current.All;
    protected override string Noun => "running server";
    protected override string Lister => "Get-SocketServer";
}

public sealed class ServerCompleter : SessionObjectCompleter<SocketServer>
{
    protected override IReadOnlyList<SocketServer> Session => SessionServers.Current.All;
}
