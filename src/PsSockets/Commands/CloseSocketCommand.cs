using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>close(): releases the socket (gracefully unless -Abort); closing twice is harmless.</summary>
[Cmdlet(VerbsCommon.Close, "Socket", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = SocketSet)]
[OutputType(typeof(void))]
public sealed class CloseSocketCommand : SocketCmdlet
{
    private const string SocketSet = "Socket";
    private const string AllSet = "All";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SocketSet)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    [AllowNull]
    public PsSocket[] Socket { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>Resets the connection (RST) instead of closing it gracefully; unsent data is dropped.</summary>
    [Parameter]
    public SwitchParameter Abort { get; set; }

    protected override void Process()
    {
        foreach (var socket in All ? Registry.All : Socket ?? [])
        {
            if (socket is null)
            {
                continue;
            }
            string target = socket.ToString();
            if (ShouldProcess(target, Abort ? "Close (reset)" : "Close"))
            {
                if (socket.IsClosed && VerboseWanted)
                {
                    Verbose($"close(#{socket.Id}): closed already, nothing to do");
                }
                socket.Close(Abort); // -Verbose: close(#3), after SO_LINGER 0 with -Abort
            }
        }
    }
}
