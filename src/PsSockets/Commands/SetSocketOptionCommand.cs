using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>setsockopt(): sets one named option, or one option by level and number, on a socket.</summary>
[Cmdlet(VerbsCommon.Set, "SocketOption", DefaultParameterSetName = NamedSet)]
[OutputType(typeof(PsSocket))]
public sealed class SetSocketOptionCommand : SocketCmdlet
{
    private const string NamedSet = "Named";
    private const string RawSet = "Raw";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = NamedSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SocketOptionNameCompleter))]
    public string Name { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = RawSet)]
    [ValidateNotNullOrEmpty]
    public string Level { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = RawSet)]
    [ValidateNotNullOrEmpty]
    public string OptionName { get; set; } = null!;

    /// <summary>Converted to the option's type with PowerShell's rules; $null turns Linger off and removes a time limit.</summary>
    [Parameter(Mandatory = true, Position = 2, ParameterSetName = NamedSet)]
    [Parameter(Mandatory = true, ParameterSetName = RawSet)]
    [AllowNull]
    public object? Value { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        if (ParameterSetName == RawSet)
        {
            var raw = RawSocketOption.Parse(Level, OptionName);
            object value = OptionValues.ToRaw(Value, raw, Socket);
            if (value is byte[] bytes)
            {
                raw.Set(Socket, bytes);
            }
            else
            {
                raw.Set(Socket, (int)value);
            }
        }
        else
        {
            var option = SocketOptionCatalog.Get(Name, Socket);
            option.Set(Socket, OptionValues.ToOptionType(Value, option));
        }
        if (PassThru)
        {
            WriteObject(Socket);
        }
    }
}
