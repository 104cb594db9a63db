using System.Management.Automation;

namespace PsSockets.Bench;

/// <summary>
/// A compiled cmdlet that does nothing, shaped like Send-SocketData (a mandatory positional object,
/// a positional object that also comes from the pipeline): what any binary cmdlet call costs in the
/// engine, to set the PsSockets cmdlets against. The harness imports its own assembly for it.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BenchNothing")]
public sealed class InvokeBenchNothingCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public object? Target { get; set; }

    [Parameter(Position = 1, ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    protected override void ProcessRecord()
    {
    }
}
