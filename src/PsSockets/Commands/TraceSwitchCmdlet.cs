using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Enable-SocketTrace and Disable-SocketTrace: given sockets, or (with none) the session's switch.</summary>
public abstract class TraceSwitchCmdlet : SocketCmdlet
{
    protected const string SessionSet = "Session";
    protected const string SocketSet = "Socket";

    /// <summary>The sockets to switch; without it, the session's switch.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SocketSet)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket[] Socket { get; set; } = [];

    [Parameter(ParameterSetName = SocketSet)]
    public SwitchParameter PassThru { get; set; }

    protected bool SessionWide => ParameterSetName == SessionSet;
}
