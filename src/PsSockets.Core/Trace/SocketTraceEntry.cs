using System;

namespace PsSockets;

/// <summary>What a socket did, as one entry of its trace.</summary>
public enum SocketTraceEvent
{
    Connect,
    Accept,
    Send,
    Receive,
    /// <summary>A receive returned 0: the peer closed its side (end of stream).</summary>
    End,
    Shutdown,
    Close,
    /// <summary>The OS failed a call: the connection was reset, lost or refused.</summary>
    Failure,
}

/// <summary>Which way bytes went: Out for a send, In for a receive; None for the other events.</summary>
public enum SocketTraceDirection
{
    None,
    Out,
    In,
}

/// <summary>One thing a traced socket did: a send or receive with its bytes, or a connect, accept, shutdown, close or failure.</summary>
public sealed class SocketTraceEntry
{
    internal SocketTraceEntry(int socket, long sequence, DateTime timeUtc, SocketTraceEvent @event, int length, byte[] data,
        string? localEndPoint, string? remoteEndPoint, string? detail)
    {
        Socket = socket;
        Sequence = sequence;
        _timeUtc = timeUtc;
        Event = @event;
        Length = length;
        Data = data;
        LocalEndPoint = localEndPoint;
        RemoteEndPoint = remoteEndPoint;
        Detail = detail;
    }

    /// <summary>The Id of the socket that did it.</summary>
    public int Socket { get; }

    /// <summary>Its number in the socket's trace, from 1: a gap shows entries dropped to keep the trace within its budget.</summary>
    public long Sequence { get; }

    /// <summary>When the call returned, local time.</summary>
    public DateTime Time => _timeUtc.ToLocalTime();
    private readonly DateTime _timeUtc;

    public SocketTraceEvent Event { get; }

    public SocketTraceDirection Direction => Event switch
    {
        SocketTraceEvent.Send => SocketTraceDirection.Out,
        SocketTraceEvent.Receive or SocketTraceEvent.End => SocketTraceDirection.In,
        _ => SocketTraceDirection.None,
    };

    /// <summary>How many bytes the call moved; <see cref="Data"/> holds them, or the first of them when they did not fit the trace's budget.</summary>
    public int Length { get; }

    public byte[] Data { get; }

    public bool Truncated => Data.Length < Length;

    public string? LocalEndPoint { get; }

    /// <summary>The peer: the one connected to, accepted, or (on a datagram socket) the datagram's sender or destination.</summary>
    public string? RemoteEndPoint { get; }

    /// <summary>What else there is to say: how a shutdown went (SHUT_WR), the accepted socket, why a call failed.</summary>
    public string? Detail { get; }

    /// <summary>The bytes as text: printable characters as they are, \r \n \t \\ escaped, every other byte as \xNN.</summary>
    public string Text => EscapedText.Of(Data);

    public override string ToString() => Direction switch
    {
        SocketTraceDirection.Out => $"#{Socket} -> {Length} {Text}",
        SocketTraceDirection.In when Event == SocketTraceEvent.End => $"#{Socket} <- end of stream",
        SocketTraceDirection.In => $"#{Socket} <- {Length} {Text}",
        _ => $"#{Socket} {Event} {RemoteEndPoint} {Detail}".TrimEnd(),
    };
}
