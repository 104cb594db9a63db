using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>getsockopt(): the named options of a socket (all that apply to it, or those asked for), or one option by level and number.</summary>
[Cmdlet(VerbsCommon.Get, "SocketOption", DefaultParameterSetName = NamedSet)]
[OutputType(typeof(SocketOptionValue), ParameterSetName = [NamedSet])]
[OutputType(typeof(int), typeof(byte[]), ParameterSetName = [RawSet])]
public sealed class GetSocketOptionCommand : SocketCmdlet
{
    private const string NamedSet = "Named";
    private const string RawSet = "Raw";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    /// <summary>Option names, wildcards allowed; left out, every option that applies to the socket.</summary>
    [Parameter(Position = 1, ParameterSetName = NamedSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SocketOptionNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Socket, IP, IPv6, Tcp, Udp (or SOL_SOCKET, IPPROTO_TCP, ...), or the system's number.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RawSet)]
    [ValidateNotNullOrEmpty]
    public string Level { get; set; } = null!;

    /// <summary>A SocketOptionName (KeepAlive, ...) or the system's number.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RawSet)]
    [ValidateNotNullOrEmpty]
    public string OptionName { get; set; } = null!;

    /// <summary>Reads this many bytes and returns them as a byte[], for options that are not an int.</summary>
    [Parameter(ParameterSetName = RawSet)]
    [ValidateRange(1, 65536)]
    public int Length { get; set; }

    protected override void Process()
    {
        if (ParameterSetName == RawSet)
        {
            WriteObject(RawSocketOption.Parse(Level, OptionName).Get(Socket, IsBound(nameof(Length)) ? Length : null));
            return;
        }
        Socket.ThrowIfClosed(); // one error for a closed socket, not one per option
        var applicable = SocketOptionCatalog.For(Socket).ToList();
        if (Name is null)
        {
            applicable.ForEach(Emit);
            return;
        }
        foreach (string name in Name)
        {
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                applicable.Where(o => pattern.IsMatch(o.Name)).ToList().ForEach(Emit);
            }
            else
            {
                Emit(name);
            }
        }
    }

    private void Emit(string name)
    {
        try
        {
            Emit(SocketOptionCatalog.Get(name, Socket));
        }
        catch (SocketOperationException e)
        {
            WriteSocketError(e);
        }
    }

    /// <summary>One option's failure (an OS error) is its own error; the other options still come.</summary>
    private void Emit(SocketOptionDefinition option)
    {
        try
        {
            WriteObject(option.Get(Socket));
        }
        catch (SocketOperationException e)
        {
            WriteSocketError(e);
        }
    }
}
