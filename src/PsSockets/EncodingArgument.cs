using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace PsSockets.Commands;

/// <summary>
/// Lets -Encoding take a name (utf8, ascii, latin1, utf16, utf16BE, utf32, utf32BE), a code page
/// number or name, or an Encoding. Every encoding decodes invalid input as U+FFFD, never throwing.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class EncodingTransformationAttribute : ArgumentTransformationAttribute
{
    internal static readonly Dictionary<string, Func<Encoding>> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["utf8"] = () => PsSocket.DefaultEncoding,
        ["utf8NoBOM"] = () => PsSocket.DefaultEncoding,
        ["ascii"] = () => Encoding.ASCII,
        ["latin1"] = () => Encoding.Latin1,
        ["utf16"] = () => new UnicodeEncoding(bigEndian: false, byteOrderMark: false),
        ["unicode"] = () => new UnicodeEncoding(bigEndian: false, byteOrderMark: false),
        ["utf16BE"] = () => new UnicodeEncoding(bigEndian: true, byteOrderMark: false),
        ["bigendianunicode"] = () => new UnicodeEncoding(bigEndian: true, byteOrderMark: false),
        ["utf32"] = () => new UTF32Encoding(bigEndian: false, byteOrderMark: false),
        ["utf32BE"] = () => new UTF32Encoding(bigEndian: true, byteOrderMark: false),
    };

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        try
        {
            return value switch
            {
                null or Encoding => value,
                string name when Names.TryGetValue(name, out var make) => make(),
                string name when int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int page) => Encoding.GetEncoding(page),
                string name => Encoding.GetEncoding(name),
                int page => Encoding.GetEncoding(page),
                _ => value,
            };
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ArgumentTransformationMetadataException(
                $"'{value}' is not an encoding here; use {string.Join(", ", Names.Keys)}, or a code page this system has.", e);
        }
    }
}

/// <summary>Completes -Encoding with the names PsSockets knows.</summary>
public sealed class EncodingCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        foreach (var name in EncodingTransformationAttribute.Names.Keys)
        {
            if (name.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, name);
            }
        }
    }
}
