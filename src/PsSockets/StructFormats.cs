using System.Management.Automation;

namespace PsSockets.Commands;

internal static class StructFormats
{
    /// <summary>Parses a -Format; an invalid one is misuse, so it ends the command.</summary>
    public static StructFormat Parse(PSCmdlet cmdlet, string format)
    {
        try
        {
            return new StructFormat(format);
        }
        catch (StructFormatException e)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(e, "InvalidStructFormat", ErrorCategory.InvalidArgument, format));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }
}
