using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// Trace entries as they reach a cmdlet: the objects Get-SocketTrace wrote, a whole SocketTrace, or the same after a
/// round trip (Import-Clixml's Deserialized.PsSockets.SocketTraceEntry; ConvertFrom-Json's objects, where the events
/// are numbers or names and the bytes an array of numbers or base64). Bytes that did not survive (ConvertTo-Json cut
/// at its -Depth writes "System.Byte[]") are read back from Text, which loses nothing.
/// </summary>
internal static class TraceEntryInput
{
    public static IEnumerable<SocketTraceEntry> From(PSObject? input)
    {
        switch (input?.BaseObject)
        {
            case null:
                yield break;
            case SocketTraceEntry entry:
                yield return entry;
                break;
            case SocketTrace trace:
                foreach (var kept in trace.Entries)
                {
                    yield return kept;
                }
                break;
            default:
                yield return Rebuild(input);
                break;
        }
    }

    private static SocketTraceEntry Rebuild(PSObject input)
    {
        object? Value(string name) => input.Properties[name]?.Value is { } v ? (v is PSObject pso ? pso.BaseObject : v) : null;

        if (Value(nameof(SocketTraceEntry.Event)) is not { } eventValue
            || !LanguagePrimitives.TryConvertTo(eventValue, out SocketTraceEvent @event) || !Enum.IsDefined(@event))
        {
            throw NotAnEntry(input, "it has no Event that names what the socket did (Send, Receive, End, Connect...)");
        }
        // A string in Data is base64, or what ConvertTo-Json wrote for bytes past its -Depth ("104 105 10"): Text, when there, says it without doubt.
        var text = Value(nameof(SocketTraceEntry.Text)) as string;
        var data = Value(nameof(SocketTraceEntry.Data)) switch
        {
            string when text is not null => EscapedTextBytes.Parse(text),
            string written => Base64(written) ?? Bytes(written.Split(' ', StringSplitOptions.RemoveEmptyEntries)),
            null => text is null ? null : EscapedTextBytes.Parse(text),
            var bytes => Bytes(bytes),
        };
        if (data is null)
        {
            throw NotAnEntry(input, "its bytes are in neither Data (bytes, numbers or base64) nor Text (as Get-SocketTrace escapes them)");
        }
        int length = Number<int>(Value(nameof(SocketTraceEntry.Length))) ?? data.Length;
        var time = Value(nameof(SocketTraceEntry.Time)) is DateTime t ? t.ToUniversalTime() : DateTime.UtcNow;
        return new SocketTraceEntry(Number<int>(Value(nameof(SocketTraceEntry.Socket))) ?? 0, Number<long>(Value(nameof(SocketTraceEntry.Sequence))) ?? 0, time, @event, length, data,
            Value(nameof(SocketTraceEntry.LocalEndPoint)) as string, Value(nameof(SocketTraceEntry.RemoteEndPoint)) as string, Value(nameof(SocketTraceEntry.Detail)) as string);
    }

    private static byte[]? Base64(string text)
    {
        var buffer = new byte[text.Length];
        return !text.Contains(' ', StringComparison.Ordinal) && Convert.TryFromBase64String(text, buffer, out int written) ? buffer[..written] : null;
    }

    /// <summary>byte[] as it is; numbers 0 to 255 (ConvertFrom-Json's array, or the words of a string). Null for anything else.</summary>
    private static byte[]? Bytes(object? value)
    {
        switch (value)
        {
            case byte[] bytes:
                return bytes;
            case IEnumerable items and not string:
                var list = new List<byte>();
                foreach (var item in items)
                {
                    if (Number<byte>(item is PSObject pso ? pso.BaseObject : item) is not { } b)
                    {
                        return null;
                    }
                    list.Add(b);
                }
                return [.. list];
            default:
                return null;
        }
    }

    private static T? Number<T>(object? value) where T : struct =>
        value is IConvertible && LanguagePrimitives.TryConvertTo(value, out T number) ? number : null;

    /// <summary>The caller makes it the NotATraceEntry error, with the object as its target.</summary>
    private static ArgumentException NotAnEntry(PSObject input, string why) =>
        new($"Not a trace entry: {why}. Invoke-SocketReplay takes what Get-SocketTrace returns, also after Export-Clixml/Import-Clixml or ConvertTo-Json/ConvertFrom-Json.");
}
