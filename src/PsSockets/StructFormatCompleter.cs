using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PsSockets.Commands;

/// <summary>
/// Completes a Python struct format one character at a time: first the byte order, then items, each with what it
/// means in the tooltip. Formats are quoted: '!', '&lt;' and '&gt;' mean something else to PowerShell unquoted.
/// </summary>
public sealed class StructFormatCompleter : IArgumentCompleter
{
    private static readonly (string Code, string Meaning)[] s_byteOrders =
    [
        ("!", "network byte order (big-endian), standard sizes: what protocols use"),
        ("<", "little-endian, standard sizes"),
        (">", "big-endian, standard sizes"),
        ("=", "this machine's byte order, standard sizes"),
        ("@", "this machine's byte order, sizes and alignment (as C lays a struct out)"),
    ];

    private static readonly (string Code, string Meaning)[] s_items =
    [
        ("B", "unsigned 8-bit integer (byte)"),
        ("b", "signed 8-bit integer"),
        ("H", "unsigned 16-bit integer (a port, htons)"),
        ("h", "signed 16-bit integer"),
        ("I", "unsigned 32-bit integer (an IPv4 address, htonl)"),
        ("i", "signed 32-bit integer"),
        ("Q", "unsigned 64-bit integer"),
        ("q", "signed 64-bit integer"),
        ("f", "32-bit float"),
        ("d", "64-bit float (double)"),
        ("?", "boolean, one byte"),
        ("s", "bytes or text: a count before it is the length (10s)"),
        ("x", "a pad byte"),
    ];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string typed = wordToComplete.Trim('\'', '"');
        foreach (var (code, meaning) in typed.Length == 0 ? s_byteOrders : s_items)
        {
            string format = typed + code;
            yield return new CompletionResult($"'{format}'", format, CompletionResultType.ParameterValue, $"{code}: {meaning}");
        }
    }
}
