using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>What a socket records of itself: its trace, when asked for, and its statistics, always.</summary>
public sealed partial class PsSocket
{
    private SocketTrace? _trace;
    private long _sends;
    private long _receives;
    private long _blockedTicks;
    private int _largestMessage;
    private bool _accepted;

    /// <summary>The socket's trace, or null when it was never traced (New-Socket, Connect-Socket, Start-SocketListener -Trace).</summary>
    public SocketTrace? Trace => _trace;

    /// <summary>How many send calls moved bytes (send, sendto, sendfile; a large send takes several).</summary>
    public long Sends => Interlocked.Read(ref _sends);

    /// <summary>How many receive calls returned (recv, recvfrom), the one that saw the end of stream included.</summary>
    public long Receives => Interlocked.Read(ref _receives);

    /// <summary>How long calls on this socket waited for the OS: for data, for room to send, for a connection to accept.</summary>
    public TimeSpan BlockedTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _blockedTicks));

    /// <summary>The largest message sent or received in one call, in bytes on the wire: a framed message with its framing (length prefix, delimiter), a datagram whole.</summary>
    public int LargestMessage => Volatile.Read(ref _largestMessage);

    /// <summary>Starts recording (or goes on recording) what this socket does. A new <paramref name="limit"/> starts a new trace.</summary>
    public SocketTrace StartTrace(long limit = SocketTrace.DefaultLimit)
    {
        var trace = _trace is { } current && current.Limit == limit ? current : new SocketTrace(this, limit);
        trace.IsRecording = true;
        _trace = trace;
        return trace;
    }

    /// <summary>Stops recording; what was recorded stays readable.</summary>
    public void StopTrace()
    {
        if (_trace is { } trace)
        {
            trace.IsRecording = false;
        }
    }

    private SocketTrace? Recording => _trace is { IsRecording: true } trace ? trace : null;

    private void TraceEvent(SocketTraceEvent @event, EndPoint? remote = null, string? detail = null) =>
        Recording?.Add(@event, remote, detail);

    /// <summary>A failure the OS reported, as its trace entry: <c>ConnectionReset: Connection reset by peer</c>.</summary>
    private void TraceFailure(SocketOperationException failure) =>
        TraceEvent(SocketTraceEvent.Failure, detail: $"{failure.Failure}: {failure.InnerException?.Message ?? failure.Message}");

    private void CountSend(ReadOnlySpan<byte> data, EndPoint? to = null)
    {
        Interlocked.Increment(ref _sends);
        Recording?.Add(SocketTraceEvent.Send, data, to);
    }

    private void CountReceive(ReadOnlySpan<byte> data, EndPoint? from = null)
    {
        Interlocked.Increment(ref _receives);
        Recording?.Add(data.IsEmpty && !IsDatagram ? SocketTraceEvent.End : SocketTraceEvent.Receive, data, from);
    }

    private void CountSendFile(long length)
    {
        Interlocked.Increment(ref _sends);
        Recording?.Add(SocketTraceEvent.Send, [], length: (int)length, detail: "sendfile: the bytes went from the file in the kernel");
    }

    private void NoteMessage(long length)
    {
        int size = (int)Math.Min(length, int.MaxValue);
        int largest;
        while (size > (largest = Volatile.Read(ref _largestMessage)) && Interlocked.CompareExchange(ref _largestMessage, size, largest) != largest)
        {
        }
    }

    /// <summary>
    /// Tells the call log (-Verbose) of a transfer that failed: <c>recv(#3, a line) timed out after 0.3 s</c>,
    /// <c>send(#3, 5 bytes) failed: ECONNRESET in 0.1 ms</c>. An exception filter: it returns false and catches nothing.
    /// The peer's end of stream (recv returned 0) and a non-blocking socket's EWOULDBLOCK are answers, not failures: the
    /// cmdlets tell them as such; so is "nothing yet" to a call that was given no time at all to wait (<paramref name="timeout"/> 0).
    /// </summary>
    private static bool ToldFailed(string call, long started, SocketOperationException e, TimeSpan? timeout = null) =>
        e.Failure is not (SocketFailure.PeerClosed or SocketFailure.WouldBlock)
        && !(e.Failure == SocketFailure.OperationTimeout && timeout == TimeSpan.Zero)
        && SocketCallLog.Current is { } log && log.Failed(call, started, e);

    private void NoteBlocked(long startedTimestamp) => Interlocked.Add(ref _blockedTicks, Stopwatch.GetTimestamp() - startedTimestamp);

    /// <summary>A new connection takes its listener's trace setting: the listener's budget, a trace of its own.</summary>
    private void TraceAccepted(PsSocket connection)
    {
        connection._accepted = true;
        if (Recording is { } trace)
        {
            trace.Add(SocketTraceEvent.Accept, connection.RemoteEndPoint, $"#{connection.Id}");
            connection.StartTrace(trace.Limit).Add(SocketTraceEvent.Accept, connection.RemoteEndPoint, $"from #{Id}");
        }
    }

    /// <summary>Starts the trace a socket was born with, recording its connect when it was born connected.</summary>
    internal void StartTraceAtBirth(long limit)
    {
        var trace = StartTrace(limit);
        if (RemoteEndPoint is not null)
        {
            trace.Add(_accepted ? SocketTraceEvent.Accept : SocketTraceEvent.Connect);
        }
    }

    private static string ShutdownName(SocketShutdown direction) => direction switch
    {
        SocketShutdown.Send => "SHUT_WR",
        SocketShutdown.Receive => "SHUT_RD",
        _ => "SHUT_RDWR",
    };
}
