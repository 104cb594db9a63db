using System;
using System.Threading;

namespace PsSockets;

/// <summary>
/// One operation's time limit joined with the caller's cancellation (Ctrl+C). Tells the two apart
/// when the operation is cancelled, so a timeout becomes an error and a stop stays a stop.
/// No timer and no allocation when there is no time limit.
/// </summary>
internal readonly struct Deadline : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationToken _caller;

    private Deadline(TimeSpan? timeout, CancellationToken caller)
    {
        _caller = caller;
        Timeout = timeout;
        if (timeout is { } t)
        {
            _timer = CancellationTokenSource.CreateLinkedTokenSource(caller);
            _timer.CancelAfter(t);
        }
    }

    public static Deadline Start(TimeSpan? timeout, CancellationToken caller) => new(timeout, caller);

    public TimeSpan? Timeout { get; }

    public CancellationToken Token => _timer?.Token ?? _caller;

    /// <summary>True when the token fired because time ran out, not because the caller stopped.</summary>
    public bool Expired => _timer is { IsCancellationRequested: true } && !_caller.IsCancellationRequested;

    /// <summary>True when the caller stopped the operation (Ctrl+C).</summary>
    public bool CallerStopped => _caller.IsCancellationRequested;

    public void Dispose() => _timer?.Dispose();

    public static string Describe(TimeSpan? timeout) =>
        timeout is { } t ? $"{t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s" : "no limit";
}
