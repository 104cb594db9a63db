using System;
using System.Globalization;
using System.Net;
using System.Security.Authentication;

namespace PsSockets;

/// <summary>
/// One host and port checked by Test-SocketConnection: whether it accepted a connection (and a TLS handshake, and
/// answered as expected), through which address, how fast, and why not when it failed.
/// </summary>
public sealed class ConnectionCheckResult
{
    internal ConnectionCheckResult(string computerName, int port, CheckAttempt last, int attempts, TimeSpan elapsed, string? error)
    {
        ComputerName = computerName;
        Port = port;
        RemoteAddress = last.Address;
        Success = last.Failure is null;
        Latency = last.Latency;
        TlsLatency = last.TlsLatency;
        Tls = last.Tls;
        Certificate = last.Certificate;
        Response = last.Response;
        ErrorId = last.Failure?.ToString();
        Error = error ?? last.Error;
        Attempts = attempts;
        Elapsed = elapsed;
    }

    /// <summary>The host as it was given (a name or an address), without a port.</summary>
    public string ComputerName { get; }

    public int Port { get; }

    /// <summary>The address the connection went to; on a failure, the last address tried (null when the name did not resolve).</summary>
    public IPAddress? RemoteAddress { get; }

    /// <summary>True when the port accepted the connection, and the TLS handshake and the expected answer too when asked for.</summary>
    public bool Success { get; }

    /// <summary>How long the TCP connect took (the three-way handshake); null when no connect succeeded.</summary>
    public TimeSpan? Latency { get; }

    /// <summary>How long the TLS handshake took after the connect (-Tls); null without TLS or when it failed.</summary>
    public TimeSpan? TlsLatency { get; }

    /// <summary>The TLS version agreed on (-Tls).</summary>
    public SslProtocols? TlsProtocol => Tls?.Protocol;

    /// <summary>The server's certificate (-Tls): also when it was refused, so an expired one shows its dates.</summary>
    public CertificateSummary? Certificate { get; }

    /// <summary>When the server's certificate expires (-Tls).</summary>
    public DateTime? CertificateNotAfter => Certificate?.NotAfter;

    /// <summary>Whole days until the server's certificate expires, counted now; negative once expired (-Tls).</summary>
    public int? CertificateDaysLeft => Certificate?.DaysLeft;

    /// <summary>What the peer sent (-Send, -Expect), as UTF-8 text; what had arrived by then when the check failed.</summary>
    public string? Response { get; }

    /// <summary>Why the check failed, naming the endpoint and the reason; null on success.</summary>
    public string? Error { get; }

    /// <summary>The failure's stable id (ConnectionRefused, OperationTimeout, HostNotFound, CertificateInvalid, ...); null on success.</summary>
    public string? ErrorId { get; }

    /// <summary>How many times the check was tried: 1, or more with -Wait.</summary>
    public int Attempts { get; }

    /// <summary>How long the whole check took, from its start to its end (with -Wait, the waiting included).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Everything the TLS handshake settled (-Tls): protocol, cipher suite, ALPN, the certificate and what was wrong with it.</summary>
    public TlsInfo? Tls { get; }

    /// <summary>The endpoint checked, as host:port ([::1]:443 for an IPv6 address).</summary>
    public string Target => ComputerName.Contains(':', StringComparison.Ordinal) ? $"[{ComputerName}]:{Port}" : $"{ComputerName}:{Port}";

    public override string ToString() => Success
        ? string.Create(CultureInfo.InvariantCulture, $"{Target} open ({Latency?.TotalMilliseconds:0.00} ms)")
        : $"{Target} failed: {ErrorId}";
}
