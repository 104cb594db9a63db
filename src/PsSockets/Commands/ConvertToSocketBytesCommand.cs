using System.Collections.Generic;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>struct.pack(): values to one binary record, in the byte order the format names ('!' is network order).</summary>
[Cmdlet(VerbsData.ConvertTo, "SocketBytes")]
[OutputType(typeof(byte[]))]
public sealed class ConvertToSocketBytesCommand : SocketCmdlet
{
    private readonly List<object?> _values = new();

    /// <summary>A Python struct format: byte order (@ = &lt; &gt; !) then items such as H, 2I, q, 10s.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(StructFormatCompleter))]
    public string Format { get; set; } = string.Empty;

    /// <summary>The values, in the format's order; from the pipeline they are gathered into one record.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public object?[] Value { get; set; } = [];

    private StructFormat _format = null!;

    protected override void Begin() => _format = StructFormats.Parse(this, Format);

    protected override void Process()
    {
        foreach (var value in Value ?? [null]) // $null given or piped is one null value, which no format item takes
        {
            _values.Add(value is PSObject pso ? pso.BaseObject : value);
        }
    }

    protected override void End()
    {
        try
        {
            var packed = _format.Pack(_values);
            if (VerboseWanted)
            {
                Verbose($"No socket call: struct.pack('{Format}', {_values.Count} values) -> {packed.Length} bytes");
            }
            WriteObject(packed);
        }
        catch (StructFormatException e)
        {
            WriteError(new ErrorRecord(e, "InvalidStructValue", ErrorCategory.InvalidArgument, _values.ToArray()));
        }
    }
}
