using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PsSockets.Commands;

/// <summary>Completes an option name from the catalog (only those that apply, when the socket is known); the tooltip gives the C name.</summary>
public sealed class SocketOptionNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = wordToComplete.Trim('\'', '"');
        var socket = BoundSocket(fakeBoundParameters);
        foreach (var option in SocketOptionCatalog.All)
        {
            if (option.IsSupported && option.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && (socket is null || option.AppliesToSocket(socket.Socket)))
            {
                yield return new CompletionResult(option.Name, option.Name, CompletionResultType.ParameterValue, $"{option.CName}: {option.Summary}");
            }
        }
    }

    private static PsSocket? BoundSocket(IDictionary bound) => (bound["Socket"] is PSObject pso ? pso.BaseObject : bound["Socket"]) switch
    {
        PsSocket { IsClosed: false } socket => socket,
        int id => SessionSockets.Current.Find(id),
        _ => null,
    };
}
