using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>
/// Connection racing as RFC 8305 ("Happy Eyeballs v2") describes it: the addresses in the resolver's
/// order with the families interleaved; a new attempt starts every 250 ms, or at once when one fails,
/// while the earlier ones go on; the first to connect wins and the others are closed. A dead route
/// (a SYN nobody answers) then costs 250 ms instead of the whole time limit.
/// </summary>
internal static class HappyEyeballs
{
    public static readonly TimeSpan AttemptDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The connected socket, or null when every address failed (each failure is added to <paramref name="failures"/>).
    /// A time limit that runs out is an OperationTimeout failure naming the attempts still pending; a stop is an OperationCanceledException.
    /// <paramref name="resetBy"/> is the peer when the connect succeeded and the peer reset the connection before we looked
    /// (<see cref="PsSocket.ConnectedThenReset"/>): the connection is made, and already dead.
    /// </summary>
    public static Socket? Connect(IReadOnlyList<IPAddress> addresses, int port, Action<Socket> configure, in Deadline deadline,
        ConnectFailures failures, out IPEndPoint? resetBy)
    {
        resetBy = null;
        var order = Interleave(addresses);
        var pending = new List<(Socket Socket, IPEndPoint EndPoint)>();
        var log = SocketCallLog.Current;
        var startedAt = log is null ? null : new Dictionary<Socket, long>(ReferenceEqualityComparer.Instance);
        long delay = (long)(AttemptDelay.TotalSeconds * Stopwatch.Frequency);
        long nextStart = 0;
        int next = 0;
        try
        {
            while (true)
            {
                if (next < order.Count && (pending.Count == 0 || Stopwatch.GetTimestamp() >= nextStart))
                {
                    var endPoint = new IPEndPoint(order[next++], port);
                    nextStart = Stopwatch.GetTimestamp() + delay;
                    var (started, connectedNow) = Start(endPoint, configure, failures, next, startedAt);
                    if (connectedNow)
                    {
                        Tell(log, started!, endPoint, startedAt, "ok");
                        return Won(started!);
                    }
                    if (started is not null)
                    {
                        pending.Add((started, endPoint));
                    }
                    continue;
                }
                if (pending.Count == 0)
                {
                    return null;
                }
                var finished = WaitForAny(pending, next < order.Count ? nextStart : null, deadline);
                foreach (var attempt in finished)
                {
                    pending.Remove(attempt);
                    var error = (SocketError)(int)attempt.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                    bool reset = PsSocket.ConnectedThenReset(error);
                    Tell(log, attempt.Socket, attempt.EndPoint, startedAt, error == SocketError.Success ? "ok" : reset ? "ok, then reset by the peer (ECONNRESET)" : $"failed: {Errno.Name(error)}");
                    if (error == SocketError.Success || reset)
                    {
                        resetBy = reset ? attempt.EndPoint : null;
                        return Won(attempt.Socket);
                    }
                    Close(log, attempt.Socket); // after a failed non-blocking connect .NET's Socket wrongly says it is connected
                    failures.Add(attempt.EndPoint, new SocketException((int)error));
                    nextStart = 0; // a failure starts the next attempt at once
                }
            }
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            foreach (var (socket, endPoint) in pending)
            {
                Tell(log, socket, endPoint, startedAt, "timed out");
            }
            string waiting = string.Join(", ", pending.Select(p => PsSocket.FormatEndPoint(p.EndPoint)));
            throw new SocketOperationException(SocketFailure.OperationTimeout,
                $"Timed out after {Deadline.Describe(deadline.Timeout)} connecting to {waiting}{failures.BeforeThat()}.", pending.Count == 1 ? pending[0].EndPoint : waiting);
        }
        finally
        {
            foreach (var (socket, _) in pending)
            {
                Close(log, socket);
            }
        }
    }

    /// <summary>RFC 8305 section 4: alternate the families, starting with the family of the resolver's first answer.</summary>
    internal static List<IPAddress> Interleave(IReadOnlyList<IPAddress> addresses)
    {
        if (addresses.Count == 0)
        {
            return [];
        }
        var first = new Queue<IPAddress>(addresses.Where(a => a.AddressFamily == addresses[0].AddressFamily));
        var other = new Queue<IPAddress>(addresses.Where(a => a.AddressFamily != addresses[0].AddressFamily));
        var order = new List<IPAddress>(addresses.Count);
        while (first.Count + other.Count > 0)
        {
            if (first.TryDequeue(out var a))
            {
                order.Add(a);
            }
            if (other.TryDequeue(out var b))
            {
                order.Add(b);
            }
        }
        return order;
    }

    /// <summary>
    /// A non-blocking connect: the socket and whether it connected at once, or no socket when it failed at once.
    /// (Socket.Connected cannot tell: after a pending connect fails, .NET's Socket says it is connected.)
    /// </summary>
    private static (Socket? Socket, bool ConnectedNow) Start(IPEndPoint endPoint, Action<Socket> configure, ConnectFailures failures,
        int attempt, Dictionary<Socket, long>? startedAt)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        var log = SocketCallLog.Current;
        log?.Born(socket, $"attempt {attempt}"); // each attempt is a socket of its own; the winner becomes the PsSocket
        startedAt?.Add(socket, Stopwatch.GetTimestamp());
        try
        {
            configure(socket);
            socket.Blocking = false;
            socket.Connect(endPoint);
            return (socket, true);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            return (socket, false);
        }
        catch (SocketException e)
        {
            Tell(log, socket, endPoint, startedAt, $"failed: {Errno.Name(e)}");
            Close(log, socket);
            failures.Add(endPoint, e);
            return (null, false);
        }
        catch
        {
            Close(log, socket); // an option the socket cannot take: no attempt, and the error goes to the caller
            throw;
        }
    }

    /// <summary>-Verbose's line for an attempt's connect: "connect(attempt 1, [::1]:80) failed: ECONNREFUSED in 0.1 ms".</summary>
    private static void Tell(SocketCallLog? log, Socket socket, IPEndPoint endPoint, Dictionary<Socket, long>? startedAt, string outcome)
    {
        if (log is not null)
        {
            string took = startedAt!.TryGetValue(socket, out long started) ? $" {(outcome == "timed out" ? "after" : "in")} {SocketCallLog.Took(started)}" : "";
            log.Add($"connect({log.Of(socket)}, {PsSocket.FormatEndPoint(endPoint)}) {outcome}{took}");
        }
    }

    private static void Close(SocketCallLog? log, Socket socket)
    {
        if (log is not null)
        {
            log.Add($"close({log.Of(socket)})");
        }
        socket.Dispose();
    }

    /// <summary>
    /// Waits in poll slices until some attempts finish (connected or failed), the next attempt is due, or the deadline
    /// passes; a stop wakes the wait at once (<see cref="StopSignal"/>).
    /// </summary>
    private static List<(Socket Socket, IPEndPoint EndPoint)> WaitForAny(List<(Socket Socket, IPEndPoint EndPoint)> pending, long? nextStart, in Deadline deadline)
    {
        using var stop = StopSignal.Start(deadline.CallerToken);
        bool signalled = false;
        while (true)
        {
            int wait = PsSocket.PollSliceMicroseconds;
            if (nextStart is { } due)
            {
                wait = Deadline.Microseconds(due - Stopwatch.GetTimestamp(), wait);
            }
            wait = deadline.SliceMicroseconds(wait);
            // Another caller's stop woke the last poll: leave the signal out of this one rather than wake again.
            var finished = NativePoll.Available ? PollAttempts(pending, wait / 1000, signalled ? -1 : stop.Descriptor, out signalled) : SelectAttempts(pending, wait);
            if (finished.Count > 0 || (nextStart is { } d && Stopwatch.GetTimestamp() >= d))
            {
                return finished;
            }
            deadline.ThrowIfOver();
        }
    }

    /// <summary>poll(2) over the attempts and the stop signal: the attempts whose connect ended, connected or failed.</summary>
    private static List<(Socket Socket, IPEndPoint EndPoint)> PollAttempts(List<(Socket Socket, IPEndPoint EndPoint)> pending, int milliseconds, int stopSignal, out bool signalled)
    {
        Span<NativePoll.Entry> entries = pending.Count < 16 ? stackalloc NativePoll.Entry[pending.Count + 1] : new NativePoll.Entry[pending.Count + 1];
        for (int i = 0; i < pending.Count; i++)
        {
            entries[i] = new NativePoll.Entry { Fd = (int)pending[i].Socket.SafeHandle.DangerousGetHandle(), Requested = NativePoll.Events.Out };
        }
        entries[^1] = new NativePoll.Entry { Fd = stopSignal, Requested = NativePoll.Events.In };
        NativePoll.Wait(entries, milliseconds);
        signalled = entries[^1].Returned != NativePoll.Events.None;
        var finished = new List<(Socket Socket, IPEndPoint EndPoint)>();
        for (int i = 0; i < pending.Count; i++)
        {
            if (entries[i].Returned != NativePoll.Events.None)
            {
                finished.Add(pending[i]);
            }
        }
        return finished;
    }

    /// <summary>Where there is no poll(2) (Windows): Socket.Select, which reports a failed connect only as an error condition, never as writable.</summary>
    private static List<(Socket Socket, IPEndPoint EndPoint)> SelectAttempts(List<(Socket Socket, IPEndPoint EndPoint)> pending, int microseconds)
    {
        var writable = pending.Select(p => p.Socket).ToList();
        var failed = pending.Select(p => p.Socket).ToList();
        Socket.Select(null, writable, failed, microseconds);
        return pending.Where(p => writable.Contains(p.Socket) || failed.Contains(p.Socket)).ToList();
    }

    /// <summary>The winner goes back to (emulated) blocking, as every new socket is; the finally closes the others.</summary>
    private static Socket Won(Socket socket)
    {
        socket.Blocking = true;
        return socket;
    }
}
