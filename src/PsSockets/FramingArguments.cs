using System;
using System.Management.Automation;
using System.Text;

namespace PsSockets.Commands;

/// <summary>-LengthPrefix and -Delimiter as the framing cmdlets take them; a value that cannot frame anything ends the command clearly.</summary>
internal static class FramingArguments
{
    /// <summary>The prefix for -LengthPrefix with -LengthPrefixFormat: a binary one is 1, 2, 4 or 8 bytes, an ASCII one 1 to 19 digits.</summary>
    public static LengthPrefix Prefix(PSCmdlet cmdlet, int size, LengthPrefixFormat format)
    {
        if (PsSockets.LengthPrefix.Refusal(size, format) is { } why)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-LengthPrefix {size} with -LengthPrefixFormat {format}: {why}", "LengthPrefix"),
                "InvalidLengthPrefixSize", ErrorCategory.InvalidArgument, size));
        }
        return new LengthPrefix(size, format);
    }

    /// <summary>The framing for -Delimiter: text is matched on whole code units of <paramref name="encoding"/>, bytes anywhere.</summary>
    public static DelimiterFraming DelimiterFraming(PSCmdlet cmdlet, object value, Encoding encoding) =>
        new(Delimiter(cmdlet, value, encoding), stripBefore: null,
            (value is PSObject pso ? pso.BaseObject : value) is string or char ? PsSockets.DelimiterFraming.CodeUnit(encoding) : 1);

    /// <summary>The bytes of -Delimiter: a string or char in <paramref name="encoding"/>, or bytes.</summary>
    public static byte[] Delimiter(PSCmdlet cmdlet, object value, Encoding encoding)
    {
        try
        {
            return MessageBytes.Delimiter(value, encoding);
        }
        catch (Exception e) when (e is ArgumentException or PSInvalidCastException)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-Delimiter must be a string, a char or bytes of at least one byte: {e.Message}", e),
                "InvalidDelimiter", ErrorCategory.InvalidArgument, value));
            throw; // not reached
        }
    }
}
