using System.Diagnostics;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>
/// Waiting for a socket to be ready: poll(2) in slices, so that a time limit or Ctrl+C ends the wait,
/// and the OS calls that follow never block.
/// </summary>
public sealed partial class PsSocket
{
    // A stop (Ctrl+C) is seen within one slice; a time limit cuts the last slice short.
    internal const int PollSliceMicroseconds = 100_000;
    private const int SpinMicroseconds = 200;
    private static readonly long s_spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private bool _peerAnswersFast = true;

    /// <summary>Waits in poll(2) slices until the socket is ready, the deadline passes or the caller stops (OperationCanceledException).</summary>
    private void WaitUntil(SelectMode mode, in Deadline deadline)
    {
        bool reading = mode == SelectMode.SelectRead;
        if (reading && _peerAnswersFast && deadline.SliceMicroseconds(SpinMicroseconds) == SpinMicroseconds && SpinUntilReadable())
        {
            return;
        }
        long started = Stopwatch.GetTimestamp();
        while (!Socket.Poll(deadline.SliceMicroseconds(PollSliceMicroseconds), mode) && !ErrorPending())
        {
            deadline.ThrowIfOver();
        }
        if (reading)
        {
            _peerAnswersFast = Stopwatch.GetTimestamp() - started < s_spinTicks;
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
