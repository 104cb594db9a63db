using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>struct.unpack(): one binary record to its values, each written to the pipeline.</summary>
[Cmdlet(VerbsData.ConvertFrom, "SocketBytes")]
[OutputType(typeof(object))]
public sealed class ConvertFromSocketBytesCommand : SocketCmdlet
{
    /// <summary>A Python struct format: byte order (@ = &lt; &gt; !) then items such as H, 2I, q, 10s.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(StructFormatCompleter))]
    public string Format { get; set; } = string.Empty;

    /// <summary>One record of exactly the format's size, e.g. from Receive-SocketData -Count N -AsByteArray.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    public byte[] InputObject { get; set; } = [];

    private StructFormat _format = null!;

    protected override void Begin() => _format = StructFormats.Parse(this, Format);

    protected override void Process()
    {
        try
        {
            var values = _format.Unpack(InputObject);
            if (VerboseWanted)
            {
                Verbose($"No socket call: struct.unpack('{Format}', {InputObject.Length} bytes) -> {values.Length} values");
            }
            foreach (var value in values)
            {
                WriteObject(value);
            }
        }
        catch (StructFormatException e)
        {
            WriteError(new ErrorRecord(e, "InvalidStructRecord", ErrorCategory.InvalidData, InputObject));
        }
    }
}
