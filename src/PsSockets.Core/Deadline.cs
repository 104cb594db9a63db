using System;
using System.Diagnostics;
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
    private readonly long _expires; // Stopwatch timestamp; 0 when there is no time limit

    private Deadline(TimeSpan? timeout, CancellationToken caller)
    {
        _caller = caller;
        Timeout = timeout;
        if (timeout is { } t)
        {
            _expires = TimestampAfter(t);
            _timer = CancellationTokenSource.CreateLinkedTokenSource(caller);
            _timer.CancelAfter(t);
        }
    }

    private Deadline(CancellationToken caller)
    {
        _caller = caller;
        Timeout = TimeSpan.Zero;
        _expires = Stopwatch.GetTimestamp();
        NonBlocking = true;
    }

    public static Deadline Start(TimeSpan? timeout, CancellationToken caller) => new(timeout, caller);

    /// <summary>
    /// No wait at all, for a call on a non-blocking socket: what is ready is done, and the first wait ends
    /// the call as would-block (EWOULDBLOCK) rather than as a timeout. No timer: nothing waits.
    /// </summary>
    public static Deadline Immediate(CancellationToken caller) => new(caller);

    public TimeSpan? Timeout { get; }

    /// <summary>True for <see cref="Immediate"/>: running out of time means the call would have blocked.</summary>
    public bool NonBlocking { get; }

    public CancellationToken Token => _timer?.Token ?? _caller;

    /// <summary>True when time ran out (the clock says so, or the timer fired), and the caller did not stop.</summary>
    public bool Expired => !_caller.IsCancellationRequested
        && (_timer is { IsCancellationRequested: true } || (_expires != 0 && Stopwatch.GetTimestamp() >= _expires));

    /// <summary>
    /// How long the next OS wait (poll) may last: <paramref name="slice"/>, or what is left of the time
    /// limit when that is less, so a timeout ends on time rather than at the end of a slice.
    /// </summary>
    public int SliceMicroseconds(int slice)
    {
        if (_expires == 0)
        {
            return slice;
        }
        return Microseconds(_expires - Stopwatch.GetTimestamp(), slice);
    }

    /// <summary>The Stopwatch timestamp <paramref name="time"/> from now: a monotonic clock, which setting the system clock does not move.</summary>
    public static long TimestampAfter(TimeSpan time) =>
        Stopwatch.GetTimestamp() + (long)Math.Min(time.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 2);

    /// <summary>Stopwatch ticks as microseconds between 0 and <paramref name="cap"/>, without overflowing on long waits.</summary>
    public static int Microseconds(long ticks, int cap) =>
        ticks <= 0 ? 0 : (int)Math.Min(ticks * (1_000_000.0 / Stopwatch.Frequency), cap);

    /// <summary>Throws OperationCanceledException once the caller stopped or the time is up.</summary>
    public void ThrowIfOver()
    {
        if (_caller.IsCancellationRequested || Expired)
        {
            throw new OperationCanceledException(Token);
        }
    }

    /// <summary>
    /// A short wait where poll(2) cannot tell when to go on (a full unix backlog or queue), that a stop or the
    /// time limit ends; then throws as <see cref="ThrowIfOver"/> does. A non-blocking call does not wait.
    /// </summary>
    public void BackOff(TimeSpan pause)
    {
        if (!NonBlocking)
        {
            Token.WaitHandle.WaitOne(pause);
        }
        ThrowIfOver();
    }

    /// <summary>True when the caller stopped the operation (Ctrl+C).</summary>
    public bool CallerStopped => _caller.IsCancellationRequested;

    /// <summary>The caller's own token (Ctrl+C), without the time limit: what a wait watches to wake at once (<see cref="StopSignal"/>).</summary>
    public CancellationToken CallerToken => _caller;

    public void Dispose() => _timer?.Dispose();

    public static string Describe(TimeSpan? timeout) =>
        timeout is { } t ? $"{t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s" : "no limit";
}
