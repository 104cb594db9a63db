using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>Tells of each OS call a replay makes, as -Verbose shows it: <c>recv(#5, 18) -> 18</c>, with the bytes for -Debug.</summary>
public delegate void ReplayCallObserver(string call, string asked, string result, ReadOnlySpan<byte> payload);

/// <summary>Running a replay: each message sent, each answer read to its recorded length and compared byte for byte.</summary>
public sealed partial class SocketReplay
{
    private const int PeekSize = 65536;

    /// <summary>
    /// Replays the conversation on <paramref name="socket"/> (connected to the server), one result per message, as
    /// each is done. Each answer must come whole within <paramref name="timeout"/>. The replay goes on after a
    /// message that differs, and stops after one that leaves the conversation out of step (an answer short or
    /// missing, the connection ended or failed).
    /// </summary>
    public IEnumerable<SocketReplayResult> Run(PsSocket socket, TimeSpan timeout, CancellationToken token, ReplayCallObserver? observe = null)
    {
        var runner = new Runner(socket, timeout, token, observe);
        for (int i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            var (result, stop) = step.Kind switch
            {
                ReplayStepKind.Send => runner.Send(step),
                ReplayStepKind.Expect => runner.Expect(step, NextExpected(i)),
                ReplayStepKind.ExpectEnd => runner.ExpectEnd(step),
                _ => runner.ShutdownSend(step),
            };
            if (result is null)
            {
                continue;
            }
            if (stop && step.Message < Messages)
            {
                result.Detail = $"{result.Detail} The replay stopped here: message{(step.Message + 1 == Messages ? $" {Messages} was" : $"s {step.Message + 1} to {Messages} were")} not replayed.";
            }
            yield return result;
            if (stop)
            {
                yield break;
            }
        }
    }

    /// <summary>The bytes the server is to send next after step <paramref name="index"/>: bytes already there that begin them are not extra.</summary>
    private byte[] NextExpected(int index)
    {
        for (int i = index + 1; i < Steps.Count; i++)
        {
            if (Steps[i].Kind == ReplayStepKind.Expect)
            {
                return Steps[i].Data;
            }
            if (Steps[i].Kind == ReplayStepKind.ExpectEnd)
            {
                break;
            }
        }
        return [];
    }

    private sealed class Runner(PsSocket socket, TimeSpan timeout, CancellationToken token, ReplayCallObserver? observe)
    {
        private string Seconds => Deadline.Describe(timeout);

        public (SocketReplayResult?, bool Stop) Send(ReplayStep step)
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                socket.Send(step.Data, timeout, token);
            }
            catch (SocketOperationException e)
            {
                int sent = (int)Math.Min(e.BytesSent ?? 0, step.Data.Length);
                Tell("send", $"{step.Data.Length} bytes", $"{sent} ({e.Failure})", step.Data.AsSpan(0, sent));
                return (Result(step, SocketReplayOutcome.Failure, sent, step.Data[..sent], started,
                    $"Sending it failed after {sent} of {Bytes(step.Data.Length)}: {e.Message}"), true);
            }
            Tell("send", $"{step.Data.Length} bytes", Count(step.Data.Length), step.Data);
            return (Result(step, SocketReplayOutcome.Sent, null, step.Data, started, $"Sent {Bytes(step.Data.Length)}."), false);
        }

        public (SocketReplayResult?, bool Stop) ShutdownSend(ReplayStep step)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send, token);
                Tell("shutdown", "SHUT_WR", "0", []);
                return (null, false);
            }
            catch (SocketOperationException e)
            {
                return (Result(step, SocketReplayOutcome.Failure, null, [], Stopwatch.GetTimestamp(),
                    $"Shutting down the sending side after it, as the recording does, failed: {e.Message}"), true);
            }
        }

        /// <summary>Reads the answer to its recorded length within the time limit; stops reading at the first byte that differs, taking only what is already there.</summary>
        public (SocketReplayResult?, bool Stop) Expect(ReplayStep step, byte[] next)
        {
            var expected = step.Data;
            var actual = new List<byte>(expected.Length);
            long started = Stopwatch.GetTimestamp();
            long expires = Deadline.TimestampAfter(timeout);
            int? differs = null;
            Ending ending = Ending.None;
            string? failure = null;
            while (actual.Count < expected.Length)
            {
                var wait = differs is null ? Remaining(expires) : TimeSpan.Zero;
                var got = Receive(expected.Length - actual.Count, peek: false, wait, ref ending, ref failure);
                if (got is null)
                {
                    break;
                }
                int from = actual.Count;
                actual.AddRange(got);
                differs ??= FirstDifference(expected, actual, from);
            }
            if (differs is not null && ending == Ending.TimedOut)
            {
                ending = Ending.None; // stopped at a difference, not for want of bytes: only what was there was taken
            }
            int? extraAt = null;
            if (ending == Ending.None)
            {
                var extra = Unexpected(next);
                if (extra.Length > 0)
                {
                    extraAt = actual.Count;
                    actual.AddRange(extra);
                }
            }
            byte[] got2 = [.. actual];
            var outcome = (differs, ending, extraAt) switch
            {
                (not null, _, _) => SocketReplayOutcome.Different,
                (_, Ending.PeerClosed, _) => SocketReplayOutcome.EndedEarly,
                (_, Ending.TimedOut, _) => SocketReplayOutcome.Missing,
                (_, Ending.Failed, _) => SocketReplayOutcome.Failure,
                (_, _, not null) => SocketReplayOutcome.Extra,
                _ => SocketReplayOutcome.Equal,
            };
            string detail = outcome switch
            {
                SocketReplayOutcome.Equal => $"As recorded ({Bytes(expected.Length)}).",
                SocketReplayOutcome.Different => DifferenceDetail(expected, got2, differs!.Value) + ending switch
                {
                    Ending.PeerClosed => " Then the server closed the connection (end of stream).",
                    Ending.Failed => $" Then the connection failed: {failure}",
                    _ => "",
                },
                SocketReplayOutcome.Extra => $"As recorded ({Bytes(expected.Length)}), then {Bytes(got2.Length - expected.Length)} the recording does not have.",
                SocketReplayOutcome.Missing => got2.Length == 0
                    ? $"Nothing came within {Seconds}: {Bytes(expected.Length)} recorded."
                    : $"{got2.Length} of the {Bytes(expected.Length)} recorded came within {Seconds}.",
                SocketReplayOutcome.EndedEarly => $"The server closed the connection (end of stream) after {got2.Length} of the {Bytes(expected.Length)} recorded.",
                _ => $"The connection failed after {got2.Length} of the {Bytes(expected.Length)} recorded: {failure}",
            };
            return (Result(step, outcome, outcome == SocketReplayOutcome.Equal ? null : differs ?? extraAt ?? got2.Length, got2, started, detail), ending != Ending.None);
        }

        /// <summary>The recording has the server closing here: the next receive must see the end of stream within the time limit, and nothing before it.</summary>
        public (SocketReplayResult?, bool Stop) ExpectEnd(ReplayStep step)
        {
            var actual = new List<byte>();
            long started = Stopwatch.GetTimestamp();
            long expires = Deadline.TimestampAfter(timeout);
            Ending ending = Ending.None;
            string? failure = null;
            while (ending == Ending.None)
            {
                if (Receive(PeekSize, peek: false, Remaining(expires), ref ending, ref failure) is { } got)
                {
                    actual.AddRange(got);
                }
            }
            byte[] came = [.. actual];
            var (outcome, detail) = (ending, came.Length) switch
            {
                (Ending.PeerClosed, 0) => (SocketReplayOutcome.Equal, "The server closed the connection (end of stream), as recorded."),
                (Ending.PeerClosed, _) => (SocketReplayOutcome.Extra, $"The server sent {Bytes(came.Length)} the recording does not have, then closed the connection (end of stream) as recorded."),
                (Ending.TimedOut, 0) => (SocketReplayOutcome.NoEnd, $"The recording shows the server closing the connection here; it did not close within {Seconds}."),
                (Ending.TimedOut, _) => (SocketReplayOutcome.Extra, $"The recording shows the server closing the connection here; it sent {Bytes(came.Length)} instead, and did not close within {Seconds}."),
                _ => (SocketReplayOutcome.Failure, $"The recording shows the server closing the connection here; the connection failed instead: {failure}"),
            };
            return (Result(step, outcome, outcome == SocketReplayOutcome.Equal ? null : 0, came, started, detail), outcome != SocketReplayOutcome.Equal);
        }

        /// <summary>Bytes there now (no wait) that are not the start of the next expected answer: taken, as extra.</summary>
        private byte[] Unexpected(byte[] next)
        {
            Ending ending = Ending.None;
            string? failure = null;
            if (Receive(PeekSize, peek: true, TimeSpan.Zero, ref ending, ref failure, quiet: true) is not { } there)
            {
                return [];
            }
            int common = Math.Min(there.Length, next.Length);
            if (next.Length > 0 && there.AsSpan(0, common).SequenceEqual(next.AsSpan(0, common)))
            {
                return [];
            }
            return Receive(there.Length, peek: false, TimeSpan.Zero, ref ending, ref failure) ?? [];
        }

        /// <summary>What is there (buffered bytes, else one recv), or null with why there was nothing.</summary>
        private byte[]? Receive(int max, bool peek, TimeSpan wait, ref Ending ending, ref string? failure, bool quiet = false)
        {
            string asked = peek ? $"{max}, MSG_PEEK" : max.ToString(CultureInfo.InvariantCulture);
            try
            {
                var got = socket.ReceiveAvailable(max, peek, wait, token);
                Tell("recv", asked, Count(got.Length), got);
                return got;
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.OperationTimeout)
            {
                if (!quiet)
                {
                    Tell("recv", asked, $"nothing within {Deadline.Describe(wait)}", []);
                }
                ending = Ending.TimedOut;
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.PeerClosed)
            {
                if (!quiet)
                {
                    Tell("recv", asked, "0 (peer closed)", []);
                }
                ending = Ending.PeerClosed;
            }
            catch (SocketOperationException e)
            {
                Tell("recv", asked, $"failed ({e.Failure})", []);
                ending = Ending.Failed;
                failure = e.Message;
            }
            return null;
        }

        private void Tell(string call, string asked, string result, ReadOnlySpan<byte> payload) => observe?.Invoke(call, asked, result, payload);

        private static TimeSpan Remaining(long expires) =>
            TimeSpan.FromTicks(Math.Max(0, (long)((expires - Stopwatch.GetTimestamp()) * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency))));

        private static int? FirstDifference(byte[] expected, List<byte> actual, int from)
        {
            for (int i = from; i < actual.Count; i++)
            {
                if (actual[i] != expected[i])
                {
                    return i;
                }
            }
            return null;
        }

        private static string DifferenceDetail(byte[] expected, byte[] actual, int at) =>
            $"Byte {at} differs: expected {ByteText(expected[at])}, got {ByteText(actual[at])} ({Bytes(actual.Length)} came, {expected.Length} recorded).";

        private static string ByteText(byte b) => string.Create(CultureInfo.InvariantCulture, $"0x{b:x2} '{EscapedText.Of([b])}'");

        private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

        private static string Bytes(int n) => n == 1 ? "1 byte" : $"{n} bytes";

        private static SocketReplayResult Result(ReplayStep step, SocketReplayOutcome outcome, int? offset, byte[] actual, long started, string detail) =>
            new(step, outcome, offset, actual, Stopwatch.GetElapsedTime(started), detail);
    }

    private enum Ending
    {
        None,
        TimedOut,
        PeerClosed,
        Failed,
    }
}
