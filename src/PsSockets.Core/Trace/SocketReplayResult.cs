using System;
using System.Collections.Generic;

namespace PsSockets;

/// <summary>Which end of the conversation a trace was recorded on: the replay plays the client either way.</summary>
public enum SocketReplaySide
{
    /// <summary>The traced socket connected: its sends are replayed, its receives are the server's expected answers.</summary>
    Client,
    /// <summary>The traced socket was accepted: its receives are the client's messages to replay, its sends the expected answers.</summary>
    Server,
}

/// <summary>How one message of a replay went.</summary>
public enum SocketReplayOutcome
{
    /// <summary>The replay sent this message, as recorded.</summary>
    Sent,
    /// <summary>The server's answer was exactly the recorded bytes.</summary>
    Equal,
    /// <summary>A byte differs from the recording: Offset is the first.</summary>
    Different,
    /// <summary>Fewer bytes than recorded came within -Timeout (or none): the server went quiet.</summary>
    Missing,
    /// <summary>The answer was as recorded, then bytes came that the recording does not have (or bytes came where the recording shows the server closing).</summary>
    Extra,
    /// <summary>The server closed the connection (end of stream) before the recorded answer was complete.</summary>
    EndedEarly,
    /// <summary>The recording shows the server closing here, and it did not close within -Timeout.</summary>
    NoEnd,
    /// <summary>The connection failed (reset, broken pipe) while sending or receiving this message.</summary>
    Failure,
}

/// <summary>One message of a replayed conversation: what the recording has and what the server did.</summary>
public sealed class SocketReplayResult
{
    internal SocketReplayResult(ReplayStep step, SocketReplayOutcome outcome, int? offset, byte[] actual, TimeSpan elapsed, string detail)
    {
        Message = step.Message;
        Direction = step.Kind == ReplayStepKind.Send ? SocketTraceDirection.Out : SocketTraceDirection.In;
        EndOfStream = step.Kind == ReplayStepKind.ExpectEnd;
        Outcome = outcome;
        Offset = offset;
        Expected = step.Data;
        Actual = actual;
        Elapsed = elapsed;
        Sequence = step.Sequences;
        Detail = detail;
    }

    /// <summary>The message's number in the conversation, from 1, counting the replay's messages and the server's.</summary>
    public int Message { get; }

    /// <summary>Out: a message the replay sent; In: an answer expected from the server.</summary>
    public SocketTraceDirection Direction { get; }

    /// <summary>True for the server closing the connection (end of stream), which the recording has here.</summary>
    public bool EndOfStream { get; }

    public SocketReplayOutcome Outcome { get; }

    /// <summary>Where the answer first departs from the recording, in bytes from its start: the first differing byte, where it stopped short, where extra bytes start.</summary>
    public int? Offset { get; }

    /// <summary>The recorded bytes (for a sent message, what was sent).</summary>
    public byte[] Expected { get; }

    /// <summary>What came from the server (for a sent message, what was sent).</summary>
    public byte[] Actual { get; }

    public string ExpectedText => EscapedText.Of(Expected);

    public string ActualText => EscapedText.Of(Actual);

    /// <summary>How long the message took: the send, or the wait for the answer.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The trace entries the message was recorded as (their Sequence numbers).</summary>
    public IReadOnlyList<long> Sequence { get; }

    /// <summary>What happened, in words.</summary>
    public string Detail { get; internal set; }

    /// <summary>True when the message went as recorded.</summary>
    public bool IsEqual => Outcome is SocketReplayOutcome.Equal or SocketReplayOutcome.Sent;

    public override string ToString() => $"Message {Message}: {Detail}";
}
