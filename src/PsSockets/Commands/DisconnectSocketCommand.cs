using System.Management.Automation;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>shutdown(): ends sending, receiving or both; the socket stays open for the rest.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Socket", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PsSocket))]
public sealed class DisconnectSocketCommand : SocketCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    [Parameter(Position = 1)]
    public SocketShutdown Direction { get; set; } = SocketShutdown.Both;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        if (ShouldProcess(Socket.ToString(), $"Shut down {Direction}"))
        {
            Socket.Shutdown(Direction, StopToken); // -Verbose: shutdown(#3, SHUT_WR)
            if (PassThru)
            {
                WriteObject(Socket);
            }
        }
    }
}
