using System;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>What every check of one Test-SocketConnection call does: its time limit, TLS, the exchange, and waiting.</summary>
public sealed class ConnectionCheckSettings
{
    /// <summary>The most a check reads while it looks for <see cref="Expect"/>: a peer that talks on and on is cut off here.</summary>
    public const int DefaultMaxResponseBytes = 64 * 1024;

    /// <summary>
    /// How long one check may take, name lookup, connect, TLS and exchange together; with <see cref="Wait"/>,
    /// how long a check keeps trying.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Which addresses of a name to try: Unspecified tries them all, in the resolver's order.</summary>
    public AddressFamily AddressFamily { get; init; } = AddressFamily.Unspecified;

    /// <summary>TLS after the connect, judged by these settings; null checks the TCP connect only.</summary>
    public TlsClientSettings? Tls { get; init; }

    /// <summary>Text (UTF-8) to send once connected; the check then waits for an answer, or for <see cref="Expect"/>.</summary>
    public string? Send { get; init; }

    /// <summary>Text that must arrive (an ordinal substring of what the peer sends) for the check to succeed.</summary>
    public string? Expect { get; init; }

    /// <summary>Retries each check, backing off, until it succeeds or <see cref="Timeout"/> runs out.</summary>
    public bool Wait { get; init; }

    /// <summary>How many checks run at once.</summary>
    public int ThrottleLimit { get; init; } = 64;

    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;

    /// <summary>True when the check reads from the peer after connecting (-Send or -Expect).</summary>
    internal bool Exchanges => Send is not null || Expect is not null;
}
