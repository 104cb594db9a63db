using System;
using System.Threading;

namespace PsSockets;

/// <summary>
/// One receive and one send at a time on a socket, whatever thread or runspace calls: a second caller waits
/// for its turn (within its own time limit, and Ctrl+C ends the wait), so two receivers never tear the
/// receive buffer between them and two senders never interleave their bytes. A send and a receive still overlap.
/// </summary>
public sealed partial class PsSocket
{
    private readonly SemaphoreSlim _receiveTurn = new(1, 1);
    private readonly SemaphoreSlim _sendTurn = new(1, 1);

    // On a non-blocking socket a call without a time limit of its own does not wait for its turn either.
    private Turn TakeReceiveTurn(TimeSpan? timeout, CancellationToken token) =>
        Turn.Take(this, _receiveTurn, timeout is null && IsNonBlocking ? null : EffectiveReceiveTimeout(timeout), token, "receive", timeout is null && IsNonBlocking);

    private Turn TakeSendTurn(TimeSpan? timeout, CancellationToken token) =>
        Turn.Take(this, _sendTurn, timeout is null && IsNonBlocking ? null : EffectiveSendTimeout(timeout), token, "send", timeout is null && IsNonBlocking);

    private readonly struct Turn : IDisposable
    {
        private readonly SemaphoreSlim _gate;

        private Turn(SemaphoreSlim gate) => _gate = gate;

        /// <summary>The turn at once when no one else has it (no allocation, no clock); else a wait that the time limit or a stop ends.</summary>
        public static Turn Take(PsSocket owner, SemaphoreSlim gate, TimeSpan? timeout, CancellationToken token, string what, bool nonBlocking)
        {
            if (!gate.Wait(0))
            {
                if (nonBlocking)
                {
                    throw new SocketOperationException(SocketFailure.WouldBlock,
                        $"Cannot {what} on {owner} now: another {what} on it (from another thread or runspace) is under way, and the socket is non-blocking (EWOULDBLOCK).", owner);
                }
                using var deadline = Deadline.Start(timeout, token);
                try
                {
                    gate.Wait(deadline.Token);
                }
                catch (OperationCanceledException) when (!deadline.CallerStopped)
                {
                    throw new SocketOperationException(SocketFailure.OperationTimeout,
                        $"Timed out after {Deadline.Describe(timeout)} waiting for another {what} on {owner} (from another thread or runspace) to finish.", owner);
                }
            }
            return new Turn(gate);
        }

        public void Dispose() => _gate.Release();
    }
}
