using System;

namespace PsSockets;

/// <summary>What a relay is started with: where it listens, where it forwards, and how it keeps watch.</summary>
public sealed class RelaySettings
{
    /// <summary>The default budget of a relay's trace: 1 MiB of chunks, oldest dropped first.</summary>
    public const long DefaultTraceLimit = 1024 * 1024;

    /// <summary>Where clients connect: an address and port, or a unix path (<see cref="RelayEndPoints.ParseListen"/>).</summary>
    public required EndPointText Listen { get; init; }

    /// <summary>Where each client's traffic goes: host and port, or a unix path.</summary>
    public required EndPointText Target { get; init; }

    /// <summary>UDP to UDP: one session per client endpoint instead of one connection per accept.</summary>
    public bool Datagram { get; init; }

    public string? Name { get; init; }

    public int Backlog { get; init; } = 128;

    /// <summary>Replaces a stale unix socket file at the listen path (never another kind of file).</summary>
    public bool Force { get; init; }

    /// <summary>How many bytes of traffic the trace keeps (each chunk counts its bytes plus <see cref="RelayTrace.EntryCost"/>); 0: no trace.</summary>
    public long TraceLimit { get; init; }

    /// <summary>How long connecting to the target (and resolving it at start) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A UDP session with no datagram either way for this long ends, and its upstream socket closes.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
