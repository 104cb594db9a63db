using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PsSockets;

/// <summary>
/// A recorded conversation turned into what a replay does: the client's messages to send, the server's answers
/// to expect, where the client shut down its sending side and where the server closed. Consecutive entries of
/// one direction are one message (a turn): one OS call does not make one message, the other side's turn does.
/// </summary>
public sealed partial class SocketReplay
{
    private SocketReplay(int tracedSocket, SocketReplaySide recordedOn, IReadOnlyList<ReplayStep> steps)
    {
        TracedSocket = tracedSocket;
        RecordedOn = recordedOn;
        Steps = steps;
    }

    /// <summary>The Id the replayed socket had when it was traced.</summary>
    public int TracedSocket { get; }

    public SocketReplaySide RecordedOn { get; }

    /// <summary>How many messages the conversation has, both directions.</summary>
    public int Messages => Steps.Count == 0 ? 0 : Steps.Max(s => s.Message);

    /// <summary>How many of them the replay sends.</summary>
    public int MessagesToSend => Steps.Count(s => s.Kind == ReplayStepKind.Send);

    internal IReadOnlyList<ReplayStep> Steps { get; }

    /// <summary>
    /// The replay of one socket's conversation in <paramref name="entries"/>: the socket <paramref name="tracedSocket"/>,
    /// or the only one that sent or received. <paramref name="recordedOn"/> defaults to Server when the socket was
    /// accepted (its trace has an Accept), else Client. <paramref name="warn"/> hears of entries missing in the middle.
    /// </summary>
    /// <exception cref="TraceReplayException">The trace cannot be replayed honestly.</exception>
    public static SocketReplay Plan(IReadOnlyList<SocketTraceEntry> entries, int? tracedSocket, SocketReplaySide? recordedOn, Action<string>? warn)
    {
        if (entries.Count == 0)
        {
            throw new TraceReplayException(TraceReplayProblem.EmptyTrace,
                "The trace has no entries: nothing was recorded (was the socket traced? New-Socket, Connect-Socket or Start-SocketListener -Trace, or Enable-SocketTrace).", entries);
        }
        int socket = PickSocket(entries, tracedSocket);
        var mine = entries.Where(e => e.Socket == socket).ToList();
        if (mine.All(e => e.Sequence > 0))
        {
            mine = [.. mine.OrderBy(e => e.Sequence)];
            CheckSequence(mine, socket, warn);
        }
        CheckKept(mine, socket);
        var side = recordedOn ?? (mine.Any(e => e.Event == SocketTraceEvent.Accept) ? SocketReplaySide.Server : SocketReplaySide.Client);
        var steps = BuildSteps(mine, side);
        if (!steps.Any(s => s.Kind is ReplayStepKind.Send or ReplayStepKind.Expect or ReplayStepKind.ExpectEnd))
        {
            throw new TraceReplayException(TraceReplayProblem.NothingToReplay,
                $"The trace of #{socket} has nothing to replay: no bytes sent or received, no end of stream ({Events(mine)}).", socket);
        }
        return new SocketReplay(socket, side, steps);
    }

    private static bool MovesData(SocketTraceEntry e) => e.Event is SocketTraceEvent.Send or SocketTraceEvent.Receive or SocketTraceEvent.End;

    private static int PickSocket(IReadOnlyList<SocketTraceEntry> entries, int? tracedSocket)
    {
        var ids = entries.Select(e => e.Socket).Distinct().Order().ToList();
        if (tracedSocket is { } wanted)
        {
            return ids.Contains(wanted) ? wanted : throw new TraceReplayException(TraceReplayProblem.NothingToReplay,
                $"The trace has no entries of socket #{wanted}; it holds {Describe(entries, ids)}.", ids.ToArray());
        }
        var talking = ids.Where(id => entries.Any(e => e.Socket == id && MovesData(e))).ToList();
        return talking.Count switch
        {
            1 => talking[0],
            0 => throw new TraceReplayException(TraceReplayProblem.NothingToReplay,
                $"The trace has nothing to replay: no socket in it sent or received bytes: {Describe(entries, ids)}.", ids.ToArray()),
            _ => throw new TraceReplayException(TraceReplayProblem.AmbiguousTrace,
                $"The trace holds the conversations of {talking.Count} sockets: {Describe(entries, talking)}. Pick one with -TracedSocket {talking[0]}.", talking.ToArray()),
        };
    }

    private static string Describe(IReadOnlyList<SocketTraceEntry> entries, List<int> ids) =>
        string.Join(", ", ids.Select(id =>
        {
            var of = entries.Where(e => e.Socket == id).ToList();
            var ends = of.FirstOrDefault(e => e.LocalEndPoint is not null || e.RemoteEndPoint is not null);
            string where = ends is null ? "" : $"{ends.LocalEndPoint ?? "?"} -> {ends.RemoteEndPoint ?? "?"}, ";
            return $"#{id} ({where}{Events(of)})";
        }));

    private static string Events(List<SocketTraceEntry> entries) =>
        string.Join(", ", entries.GroupBy(e => e.Event).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>The ring drops the oldest entries: a first Sequence above 1 means the conversation's start is gone. A gap elsewhere was made by hand (a filter).</summary>
    private static void CheckSequence(List<SocketTraceEntry> entries, int socket, Action<string>? warn)
    {
        if (entries[0].Sequence > 1)
        {
            throw new TraceReplayException(TraceReplayProblem.TraceStartDropped,
                $"The trace of #{socket} starts at entry {entries[0].Sequence}: its first {entries[0].Sequence - 1} entr{(entries[0].Sequence == 2 ? "y is" : "ies are")} not there (dropped to keep the trace within its budget, or left out by a filter such as Get-SocketTrace -Last or -Event), so the conversation's start is unknown. Replay the whole trace, recorded with a limit large enough (-TraceLimit).",
                entries[0]);
        }
        for (int i = 1; i < entries.Count; i++)
        {
            long gap = entries[i].Sequence - entries[i - 1].Sequence - 1;
            if (gap > 0)
            {
                warn?.Invoke(gap == 1
                    ? $"Entry {entries[i].Sequence - 1} of #{socket} is not in the trace given: the replay goes on as if it moved no bytes."
                    : $"Entries {entries[i - 1].Sequence + 1} to {entries[i].Sequence - 1} of #{socket} are not in the trace given: the replay goes on as if they moved no bytes.");
            }
        }
    }

    private static void CheckKept(List<SocketTraceEntry> entries, int socket)
    {
        var cut = entries.Where(e => MovesData(e) && e.Truncated).ToList();
        if (cut.Count > 0)
        {
            var first = cut[0];
            string why = first.Data.Length == 0 && first.Detail is { } detail ? detail : $"it kept {first.Data.Length} of its {first.Length} bytes";
            throw new TraceReplayException(TraceReplayProblem.TraceTruncated,
                $"The trace of #{socket} does not hold all the bytes of its conversation: {cut.Count} entr{(cut.Count == 1 ? "y is" : "ies are")} truncated, the first entry {first.Sequence} ({first.Event} of {first.Length} bytes: {why}). A replay would send or expect bytes that were never recorded.",
                first);
        }
    }

    private static List<ReplayStep> BuildSteps(List<SocketTraceEntry> entries, SocketReplaySide side)
    {
        var ours = side == SocketReplaySide.Client ? SocketTraceEvent.Send : SocketTraceEvent.Receive;
        var theirs = side == SocketReplaySide.Client ? SocketTraceEvent.Receive : SocketTraceEvent.Send;
        var steps = new List<ReplayStep>();
        var data = new List<byte>();
        var sequences = new List<long>();
        ReplayStepKind? open = null;
        int message = 0;
        bool shutDown = false;
        bool ended = false;

        void Close()
        {
            if (open is { } kind)
            {
                steps.Add(new ReplayStep(kind, ++message, [.. data], [.. sequences]));
                data.Clear();
                sequences.Clear();
                open = null;
            }
        }

        void Add(ReplayStepKind kind, SocketTraceEntry entry)
        {
            if (open != kind)
            {
                Close();
                open = kind;
            }
            data.AddRange(entry.Data);
            sequences.Add(entry.Sequence);
        }

        void Mark(ReplayStepKind kind, SocketTraceEntry entry)
        {
            Close();
            steps.Add(new ReplayStep(kind, kind == ReplayStepKind.ShutdownSend ? message : ++message, [], [entry.Sequence]));
        }

        foreach (var entry in entries)
        {
            bool clientEnds = side == SocketReplaySide.Client
                ? entry.Event == SocketTraceEvent.Shutdown && SendsNoMore(entry.Detail)
                : entry.Event == SocketTraceEvent.End;
            bool serverEnds = side == SocketReplaySide.Client
                ? entry.Event == SocketTraceEvent.End
                : entry.Event == SocketTraceEvent.Close || (entry.Event == SocketTraceEvent.Shutdown && SendsNoMore(entry.Detail));
            if (entry.Event == ours && entry.Length > 0 && !shutDown)
            {
                Add(ReplayStepKind.Send, entry);
            }
            else if (entry.Event == theirs && entry.Length > 0 && !ended)
            {
                Add(ReplayStepKind.Expect, entry);
            }
            else if (clientEnds && !shutDown)
            {
                shutDown = true;
                Mark(ReplayStepKind.ShutdownSend, entry);
            }
            else if (serverEnds && !ended)
            {
                ended = true;
                Mark(ReplayStepKind.ExpectEnd, entry);
            }
            else if (side == SocketReplaySide.Client && entry.Event == SocketTraceEvent.Close)
            {
                break; // the client closed: nothing after this was part of the conversation
            }
        }
        Close();
        return steps;
    }

    private static bool SendsNoMore(string? shutdownDetail) => shutdownDetail is null || !shutdownDetail.Contains("SHUT_RD", StringComparison.Ordinal) || shutdownDetail.Contains("SHUT_RDWR", StringComparison.Ordinal);

    /// <summary>One line for -Verbose: what is replayed, from which side.</summary>
    public string Describe(string target) => string.Create(CultureInfo.InvariantCulture,
        $"Replaying the {(RecordedOn == SocketReplaySide.Client ? "client side of #" + TracedSocket : "client of #" + TracedSocket + " (recorded on the server side)")} to {target}: {Messages} messages, {MessagesToSend} of them sent.");
}
