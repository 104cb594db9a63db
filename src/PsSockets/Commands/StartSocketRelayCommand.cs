using System;
using System.Management.Automation;
using System.Net;

namespace PsSockets.Commands;

/// <summary>A relay in the background: every client of the listen endpoint forwarded to the target and back (socat, PowerCat -r).</summary>
[Cmdlet(VerbsLifecycle.Start, "SocketRelay", DefaultParameterSetName = ListenSet)]
[OutputType(typeof(SocketRelay))]
public sealed class StartSocketRelayCommand : SocketCmdlet
{
    private const string ListenSet = "Listen";
    private const string PortSet = "Port";

    /// <summary>Where clients connect: 127.0.0.1:8080, [::1]:0, unix:/tmp/relay.sock, or a port alone (on loopback).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ListenSet)]
    [ValidateNotNullOrEmpty]
    public string Listen { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = PortSet)]
    [ValidateRange(0, 65535)]
    public int ListenPort { get; set; }

    /// <summary>The local address of -ListenPort; loopback by default, since exposing a port to the network is an explicit choice.</summary>
    [Parameter(ParameterSetName = PortSet)]
    [ValidateNotNull]
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>Where each client's traffic goes: host:port, [::1]:port or unix:/path.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Target { get; set; } = string.Empty;

    /// <summary>UDP to UDP: a session per client endpoint, each with its own socket toward the target.</summary>
    [Parameter]
    public SwitchParameter Udp { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Backlog { get; set; } = 128;

    /// <summary>Replaces a socket file that a listener left behind at a unix listen path (never another kind of file).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Keeps what passes through, chunk by chunk, within -TraceLimit bytes.</summary>
    [Parameter]
    public SwitchParameter Trace { get; set; }

    /// <summary>The trace's budget in bytes (1MB by default); implies -Trace.</summary>
    [Parameter]
    [ValidateRange(RelayTrace.EntryCost, long.MaxValue)]
    public long TraceLimit { get; set; } = RelaySettings.DefaultTraceLimit;

    /// <summary>Seconds that connecting to the target may take for each client.</summary>
    [Parameter]
    [ValidateRange(0.001, MaxTimeout)]
    public double ConnectTimeout { get; set; } = 10;

    /// <summary>Seconds a UDP session may stay silent before it ends (-Udp only).</summary>
    [Parameter]
    [ValidateRange(0.001, MaxTimeout)]
    public double IdleTimeout { get; set; } = 60;

    protected override void Process()
    {
        if (!Udp && IsBound(nameof(IdleTimeout)))
        {
            Misuse("-IdleTimeout ends silent UDP sessions; a stream relay's connections end when their sides close them. Add -Udp or leave -IdleTimeout out.", "IdleTimeoutWithoutUdp", IdleTimeout);
        }
        if (Udp && IsBound(nameof(Backlog)))
        {
            Misuse("-Backlog is the queue of connections waiting for accept; a UDP relay has no connections to accept.", "BacklogWithDatagram", Backlog);
        }
        var listen = ParameterSetName == PortSet
            ? EndPointText.FromEndPoint(new IPEndPoint(ListenAddress, ListenPort))
            : Resolved(RelayEndPoints.ParseListen(Listen));
        var settings = new RelaySettings
        {
            Listen = listen,
            Target = Resolved(RelayEndPoints.ParseTarget(Target)),
            Datagram = Udp,
            Name = Name,
            Backlog = Backlog,
            Force = Force,
            TraceLimit = Trace || IsBound(nameof(TraceLimit)) ? TraceLimit : 0,
            ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeout),
            IdleTimeout = TimeSpan.FromSeconds(IdleTimeout),
        };
        var relay = SessionRelays.Current.Add(SocketRelay.Start(settings, StopToken));
        Verbose($"Relaying: {relay}: a thread of its own calls accept() on the listener, and connect() to the target for each client.");
        WriteObject(relay);
    }

    /// <summary>A unix path resolved like a file path (relative to the current location); other endpoints as they are.</summary>
    private EndPointText Resolved(EndPointText endPoint) =>
        endPoint.UnixPath is { } path ? endPoint with { UnixPath = FileArguments.UnixSocket(this, path) } : endPoint;

    private void Misuse(string message, string errorId, object target) =>
        ThrowTerminatingError(new ErrorRecord(new PSArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));
}
