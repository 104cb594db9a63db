using System;

namespace PsSockets;

/// <summary>Why a trace cannot be replayed; each value is a stable FullyQualifiedErrorId.</summary>
public enum TraceReplayProblem
{
    /// <summary>No entries at all.</summary>
    EmptyTrace,
    /// <summary>Entries, but no bytes sent or received (a listener's accepts, a connect and a close).</summary>
    NothingToReplay,
    /// <summary>The conversations of several sockets, and none picked (-TracedSocket).</summary>
    AmbiguousTrace,
    /// <summary>An entry kept only part of its bytes (the trace's budget, or sendfile): the conversation is not all there.</summary>
    TraceTruncated,
    /// <summary>The trace dropped its oldest entries to stay within its budget: the conversation's start is gone.</summary>
    TraceStartDropped,
}

/// <summary>A trace that cannot be replayed honestly, said before anything is sent.</summary>
public sealed class TraceReplayException(TraceReplayProblem problem, string message, object target) : Exception(message)
{
    public TraceReplayProblem Problem { get; } = problem;

    /// <summary>What is wrong: the entry, or the socket ids the trace holds.</summary>
    public object Target { get; } = target;
}
