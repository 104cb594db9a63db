using System;
using System.Collections.Generic;

namespace PsSockets;

/// <summary>Which way bytes went through a relay: Up from the client to the target, Down from the target back.</summary>
public enum RelayDirection
{
    Up,
    Down,
}

/// <summary>One chunk that passed through a relay (one receive, or one datagram), or one side's end of stream.</summary>
public sealed class RelayTraceEntry
{
    internal RelayTraceEntry(int relay, int connection, DateTime timeUtc, RelayDirection direction, int length, byte[] data, bool isEnd)
    {
        Relay = relay;
        Connection = connection;
        _timeUtc = timeUtc;
        Direction = direction;
        Length = length;
        Data = data;
        IsEnd = isEnd;
    }

    /// <summary>The id of the relay it passed through.</summary>
    public int Relay { get; }

    /// <summary>The relay's number of the connection (or UDP session) it passed on.</summary>
    public int Connection { get; }

    /// <summary>When the relay received it, local time.</summary>
    public DateTime Time => _timeUtc.ToLocalTime();
    private readonly DateTime _timeUtc;

    public RelayDirection Direction { get; }

    /// <summary>How many bytes passed in this chunk; <see cref="Data"/> holds them, or the first of them when the chunk was larger than the trace's whole budget.</summary>
    public int Length { get; }

    public byte[] Data { get; }

    public bool Truncated => Data.Length < Length;

    /// <summary>True for the entry that marks a side's end of stream (it shut down sending, or closed): the relay carried the half-close across.</summary>
    public bool IsEnd { get; }

    /// <summary>The bytes as text where printable: UTF-8, with \r \n \t escaped and other bytes as '.'.</summary>
    public string Text => IsEnd ? "(end of stream)" : PrintableText.Of(Data);

    public override string ToString() =>
        $"{Connection} {(Direction == RelayDirection.Up ? "->" : "<-")} {Length} {Text}";
}

/// <summary>
/// The trace of a relay: the chunks that passed, oldest dropped first once their cost passes the budget.
/// Each entry costs its kept bytes plus <see cref="EntryCost"/>, so many tiny chunks stay bounded too.
/// </summary>
public sealed class RelayTrace
{
    /// <summary>What an entry costs besides its bytes (its time, direction and connection).</summary>
    public const int EntryCost = 64;

    private readonly TraceRing<RelayTraceEntry> _ring;
    private readonly int _relay;

    internal RelayTrace(int relay, long limit)
    {
        _relay = relay;
        _ring = new TraceRing<RelayTraceEntry>(limit, entry => entry.Data.Length + EntryCost);
    }

    /// <summary>The budget in bytes.</summary>
    public long Limit => _ring.Limit;

    /// <summary>What the kept entries cost now: never more than <see cref="Limit"/>.</summary>
    public long Cost => _ring.Cost;

    /// <summary>How many entries were dropped to stay within the budget.</summary>
    public long Dropped => _ring.Dropped;

    /// <summary>The kept entries, oldest first.</summary>
    public IReadOnlyList<RelayTraceEntry> Entries => _ring.Entries;

    internal void Add(int connection, RelayDirection direction, ReadOnlySpan<byte> data)
    {
        long room = Math.Max(0, Limit - EntryCost);
        var kept = data.Length > room ? data[..(int)room] : data;
        _ring.Add(new RelayTraceEntry(_relay, connection, DateTime.UtcNow, direction, data.Length, kept.ToArray(), isEnd: false));
    }

    internal void AddEnd(int connection, RelayDirection direction) =>
        _ring.Add(new RelayTraceEntry(_relay, connection, DateTime.UtcNow, direction, 0, [], isEnd: true));

    internal void Clear() => _ring.Clear();
}
