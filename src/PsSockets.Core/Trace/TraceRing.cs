using System;
using System.Collections.Generic;
using System.Threading;

namespace PsSockets;

/// <summary>
/// Entries kept within a budget of bytes, the oldest dropped first. Each entry costs what <c>cost</c> says
/// (its kept bytes plus a fixed part), so many tiny entries stay bounded as well as a few large ones.
/// </summary>
internal sealed class TraceRing<T>
{
    private readonly object _gate = new();
    private readonly Queue<T> _entries = new();
    private readonly Func<T, long> _cost;
    private long _spent;
    private long _dropped;

    public TraceRing(long limit, Func<T, long> cost)
    {
        Limit = limit;
        _cost = cost;
    }

    public long Limit { get; }

    public long Cost
    {
        get
        {
            lock (_gate)
            {
                return _spent;
            }
        }
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public T[] Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToArray();
            }
        }
    }

    /// <summary>Keeps <paramref name="entry"/>, dropping the oldest entries until it fits; one that alone exceeds the budget is dropped itself.</summary>
    public void Add(T entry)
    {
        long cost = _cost(entry);
        if (cost > Limit)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        lock (_gate)
        {
            while (_spent + cost > Limit && _entries.TryDequeue(out var oldest))
            {
                _spent -= _cost(oldest);
                Interlocked.Increment(ref _dropped);
            }
            _entries.Enqueue(entry);
            _spent += cost;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _spent = 0;
        }
    }
}
