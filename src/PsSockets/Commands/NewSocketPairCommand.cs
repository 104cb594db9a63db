using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>socketpair(): two sockets already connected to each other, to exercise a protocol with no listener and no port.</summary>
[Cmdlet(VerbsCommon.New, "SocketPair")]
[OutputType(typeof(PsSocket))]
public sealed class NewSocketPairCommand : SocketCmdlet
{
    /// <summary>Unix (a Unix domain connection, the default) or Tcp (over 127.0.0.1).</summary>
    [Parameter(Position = 0)]
    public SocketPairTransport Transport { get; set; } = SocketPairTransport.Unix;

    /// <summary>Names for the two sockets, in order (see Get-Socket -Name).</summary>
    [Parameter]
    [ValidateCount(1, 2)]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>The default timeout, in seconds, of every blocking call on both sockets.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        var (first, second) = SocketPair.Create(Transport, Name?[0], Name is { Length: 2 } ? Name[1] : null);
        if (IsBound(nameof(Timeout)))
        {
            first.Timeout = second.Timeout = Timeout;
        }
        WriteObject(Registry.Add(first));
        WriteObject(Registry.Add(second));
    }
}
