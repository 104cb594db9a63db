using System;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>
/// Waiting for a socket to be ready: poll(2) in slices, so that a time limit or Ctrl+C ends the wait,
/// and the OS calls that follow never block. A stop wakes the poll at once through <see cref="StopSignal"/>.
/// </summary>
public sealed partial class PsSocket
{
    // A time limit cuts the last slice short; a stop is seen at once, or within one slice where there is no StopSignal.
    internal const int PollSliceMicroseconds = 100_000;
    private const int SpinMicroseconds = 200;
    private static readonly long s_spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private bool _peerAnswersFast = true;

    /// <summary>Waits in poll(2) slices until the socket is ready, the deadline passes or the caller stops (OperationCanceledException).</summary>
    private void WaitUntil(SelectMode mode, in Deadline deadline)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            bool reading = mode == SelectMode.SelectRead;
            if (reading && _peerAnswersFast && deadline.SliceMicroseconds(SpinMicroseconds) == SpinMicroseconds && SpinUntilReadable())
            {
                return;
            }
            long slept = Stopwatch.GetTimestamp();
            using (var stop = StopSignal.Start(deadline.NonBlocking ? CancellationToken.None : deadline.CallerToken))
            {
                bool signalled = false;
                while (!Poll(deadline.SliceMicroseconds(PollSliceMicroseconds), mode, stop, ref signalled) && !ErrorPending())
                {
                    deadline.ThrowIfOver();
                }
            }
            if (reading)
            {
                _peerAnswersFast = Stopwatch.GetTimestamp() - slept < s_spinTicks;
            }
        }
        finally
        {
            NoteBlocked(started);
        }
    }

    /// <summary>
    /// poll(2) on the socket and on the stop signal: true when the socket is ready (an error or a hang-up counts:
    /// the call that follows reports it). <paramref name="signalled"/> says the signal woke the poll: a stop of our
    /// caller's ends the wait; another caller's must not wake this one again until that caller takes it down, so
    /// the next poll leaves the signal out.
    /// </summary>
    private bool Poll(int microseconds, SelectMode mode, in StopSignal.Watch stop, ref bool signalled)
    {
        int signal = signalled ? -1 : stop.Descriptor;
        signalled = false;
        if (signal < 0)
        {
            return Socket.Poll(microseconds, mode);
        }
        var handle = Socket.SafeHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added); // the descriptor cannot be closed and reused while we poll it
            Span<NativePoll.Entry> entries =
            [
                new() { Fd = (int)handle.DangerousGetHandle(), Requested = mode == SelectMode.SelectRead ? NativePoll.Events.In : NativePoll.Events.Out },
                new() { Fd = signal, Requested = NativePoll.Events.In },
            ];
            NativePoll.Wait(entries, microseconds / 1000); // whole milliseconds, as Socket.Poll waits
            if (entries[0].Returned != NativePoll.Events.None)
            {
                return true;
            }
            signalled = entries[1].Returned != NativePoll.Events.None;
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// A datagram socket's pending error (an ICMP port unreachable for a connected UDP socket) wakes poll(2)
    /// with POLLERR but not POLLIN: the receive that follows reports it.
    /// </summary>
    private bool ErrorPending() => IsDatagram && Socket.Poll(0, SelectMode.SelectError);

    /// <summary>
    /// Checks for data for a short while before the thread sleeps in poll(2), as the runtime's own waits
    /// do: a sleeping thread is woken through the scheduler (on a VM, a halted vCPU through the
    /// hypervisor), which costs more than a reply on loopback or a fast network takes. Thread.Yield
    /// between checks lets the peer run first when both share one CPU. Only while this peer answers
    /// within the spin; a slow peer is waited for in poll at once, until it answers fast again.
    /// </summary>
    private bool SpinUntilReadable()
    {
        long until = Stopwatch.GetTimestamp() + s_spinTicks;
        while (!Socket.Poll(0, SelectMode.SelectRead))
        {
            if (Stopwatch.GetTimestamp() >= until)
            {
                _peerAnswersFast = false;
                return false;
            }
            Thread.Yield();
        }
        return true;
    }
}
