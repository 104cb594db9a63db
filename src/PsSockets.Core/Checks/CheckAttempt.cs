using System;
using System.Net;

namespace PsSockets;

/// <summary>What one try of a check found, filled in as it goes: the failure that ended it, or none.</summary>
internal sealed class CheckAttempt
{
    public IPAddress? Address { get; set; }

    public TimeSpan? Latency { get; set; }

    public TimeSpan? TlsLatency { get; set; }

    public TlsInfo? Tls { get; set; }

    public CertificateSummary? Certificate { get; set; }

    public string? Response { get; set; }

    /// <summary>What the attempt is doing ("connecting to 127.0.0.1:22"): what a timeout's message says it was doing.</summary>
    public string Doing { get; set; } = "starting";

    public SocketFailure? Failure { get; private set; }

    public string? Error { get; private set; }

    public bool Succeeded => Failure is null;

    public void Fail(SocketFailure failure, string error)
    {
        Failure = failure;
        Error = error;
    }
}
