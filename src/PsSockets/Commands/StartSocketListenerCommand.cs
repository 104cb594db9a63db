using System.Management.Automation;
using System.Net;

namespace PsSockets.Commands;

/// <summary>bind() + listen(): on loopback unless an address is chosen, on an ephemeral port unless one is given.</summary>
[Cmdlet(VerbsLifecycle.Start, "SocketListener")]
[OutputType(typeof(PsSocket))]
public sealed class StartSocketListenerCommand : SocketCmdlet
{
    [Parameter(Position = 0)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>The local address; loopback by default, since exposing a port to the network is an explicit choice.</summary>
    [Parameter]
    [ValidateNotNull]
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Backlog { get; set; } = 128;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter ReuseAddress { get; set; }

    /// <summary>An IPv6 listener that takes IPv4 clients too (IPV6_V6ONLY off): on :: it serves both families.</summary>
    [Parameter]
    public SwitchParameter DualMode { get; set; }

    /// <summary>The default timeout of the listener's accepts and of every socket it accepts.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        var options = new SocketOptions
        {
            Name = Name,
            ReuseAddress = ReuseAddress,
            DualMode = IsBound(nameof(DualMode)) ? DualMode.IsPresent : null,
            Timeout = IsBound(nameof(Timeout)) ? Timeout : null,
        };
        var listener = Registry.Add(SocketFactory.Listen(new IPEndPoint(Address, Port), Backlog, options));
        WriteVerbose($"Listening: {listener}, backlog {Backlog}.");
        WriteObject(listener);
    }
}
