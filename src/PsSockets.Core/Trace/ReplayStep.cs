namespace PsSockets;

internal enum ReplayStepKind
{
    /// <summary>The replay sends these bytes.</summary>
    Send,
    /// <summary>The server must answer these bytes.</summary>
    Expect,
    /// <summary>The server must close its side (end of stream).</summary>
    ExpectEnd,
    /// <summary>The replay shuts down its sending side (SHUT_WR), as the recorded client did: no message of its own.</summary>
    ShutdownSend,
}

/// <summary>One step of a replay: a message (numbered in the conversation) or the client's shutdown.</summary>
internal sealed record ReplayStep(ReplayStepKind Kind, int Message, byte[] Data, long[] Sequences);
