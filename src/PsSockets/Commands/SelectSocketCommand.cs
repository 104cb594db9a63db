using System;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>select(): waits until a socket is ready to read, to write, or in error, or the timeout passes.</summary>
[Cmdlet(VerbsCommon.Select, "Socket")]
[OutputType(typeof(SelectResult))]
public sealed class SelectSocketCommand : SocketCmdlet
{
    [Parameter(Position = 0)]
    [AllowEmptyCollection]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket[] Read { get; set; } = [];

    [Parameter(Position = 1)]
    [AllowEmptyCollection]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket[] Write { get; set; } = [];

    [Parameter(Position = 2)]
    [AllowEmptyCollection]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket[] Error { get; set; } = [];

    /// <summary>Seconds to wait; 0 polls; left out, waits until a socket is ready or Ctrl+C.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process() =>
        WriteObject(SocketSelector.Select(NonNull(Read), NonNull(Write), NonNull(Error), BoundTimeout(Timeout), StopToken));

    private static PsSocket[] NonNull(PsSocket[]? sockets) =>
        sockets is null ? [] : Array.IndexOf(sockets, null) < 0 ? sockets : Array.FindAll(sockets, s => s is not null);
}
