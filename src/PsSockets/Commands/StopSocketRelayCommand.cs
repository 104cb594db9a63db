using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Stops relays: their listeners close (the port is free at once) and their open connections are reset.</summary>
[Cmdlet(VerbsLifecycle.Stop, "SocketRelay", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SocketRelay))]
public sealed class StopSocketRelayCommand : SocketCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [RelayTransformation]
    [ArgumentCompleter(typeof(RelayCompleter))]
    [AllowNull]
    public SocketRelay[] Relay { get; set; } = [];

    /// <summary>Writes each stopped relay, with its final counters.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void Process()
    {
        foreach (var relay in Relay ?? [])
        {
            if (relay is null)
            {
                continue;
            }
            string target = relay.ToString();
            if (ShouldProcess(target, $"Stop, closing {relay.ActiveConnections} open connection(s)"))
            {
                relay.Stop();
                Verbose($"Stopped {target}: {relay.TotalConnections} connection(s), {relay.BytesUp} bytes up, {relay.BytesDown} bytes down.");
                if (PassThru)
                {
                    WriteObject(relay);
                }
            }
        }
    }
}
