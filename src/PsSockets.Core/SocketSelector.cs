using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>What select() found: the sockets ready to read, to write, and those in error.</summary>
public sealed class SelectResult
{
    internal SelectResult(PsSocket[] read, PsSocket[] write, PsSocket[] error)
    {
        Read = read;
        Write = write;
        Error = error;
    }

    public PsSocket[] Read { get; }
    public PsSocket[] Write { get; }
    public PsSocket[] Error { get; }

    /// <summary>True when no socket became ready before the timeout.</summary>
    public bool TimedOut => Read.Length == 0 && Write.Length == 0 && Error.Length == 0;
}

/// <summary>
/// select(): waits until one of the sockets is ready. A socket with bytes already buffered is
/// readable at once (the OS cannot know of them); a closed socket in any list lands in the error
/// set instead of failing the call. Each socket is reported once per set, in input order.
/// </summary>
public static class SocketSelector
{
    // The OS wait is cut into slices so that a stop (Ctrl+C) is seen within this time.
    private static readonly TimeSpan s_slice = TimeSpan.FromMilliseconds(100);

    public static SelectResult Select(IReadOnlyList<PsSocket> read, IReadOnlyList<PsSocket> write,
        IReadOnlyList<PsSocket> error, TimeSpan? timeout, CancellationToken token)
    {
        var closed = new List<PsSocket>();
        var r = new Candidates(read, closed);
        var w = new Candidates(write, closed);
        var e = new Candidates(error, closed);
        var buffered = r.Buffered();
        long deadline = timeout is { } t ? Deadline.TimestampAfter(t) : long.MaxValue;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var wait = buffered is not null || closed.Count > 0 ? TimeSpan.Zero : Remaining(deadline);
            try
            {
                if (SelectOnce(r, w, e, wait < s_slice ? wait : s_slice) || wait == TimeSpan.Zero || Stopwatch.GetTimestamp() >= deadline)
                {
                    break;
                }
            }
            catch (ObjectDisposedException)
            {
                // Another thread closed a socket during the wait: report it, and nothing as ready from the OS.
                foreach (var c in new[] { r, w, e })
                {
                    c.Os.Clear();
                    c.AddNowClosed(closed);
                }
                break;
            }
        }
        return new SelectResult(r.Ready(buffered), w.Ready(null), Failed(Distinct(closed), e.Ready(null)));
    }

    private static TimeSpan Remaining(long deadline) =>
        deadline == long.MaxValue ? TimeSpan.MaxValue : Max(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline), TimeSpan.Zero);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>One OS wait; true when it found a socket ready.</summary>
    private static bool SelectOnce(Candidates r, Candidates w, Candidates e, TimeSpan wait)
    {
        r.Refill();
        w.Refill();
        e.Refill();
        if (r.Os.Count + w.Os.Count + e.Os.Count == 0)
        {
            // Nothing to wait on: select() with empty sets just sleeps.
            Thread.Sleep(wait);
            return false;
        }
        Socket.Select(r.Os.Count > 0 ? r.Os : null, w.Os.Count > 0 ? w.Os : null, e.Os.Count > 0 ? e.Os : null, wait);
        return r.Os.Count + w.Os.Count + e.Os.Count > 0;
    }

    private static PsSocket[] Failed(IReadOnlyList<PsSocket> closed, PsSocket[] osErrors)
    {
        if (closed.Count == 0)
        {
            return osErrors;
        }
        var failed = new PsSocket[closed.Count + osErrors.Length];
        for (int i = 0; i < closed.Count; i++)
        {
            failed[i] = closed[i];
        }
        osErrors.CopyTo(failed, closed.Count);
        return failed;
    }

    /// <summary>The sockets without repeats, in their order; the list itself when it has none.</summary>
    private static IReadOnlyList<PsSocket> Distinct(IReadOnlyList<PsSocket> sockets)
    {
        // Ids only grow, so sockets listed in creation order (the usual case) need no set to be known distinct.
        for (int i = 1; i < sockets.Count; i++)
        {
            if (sockets[i].Id <= sockets[i - 1].Id)
            {
                var seen = new HashSet<PsSocket>(sockets.Count, ReferenceEqualityComparer.Instance);
                var distinct = new List<PsSocket>(sockets.Count);
                foreach (var s in sockets)
                {
                    if (seen.Add(s))
                    {
                        distinct.Add(s);
                    }
                }
                return distinct;
            }
        }
        return sockets;
    }

    /// <summary>
    /// One of the three lists: its open sockets, each once, in input order, and the OS sockets that
    /// Socket.Select filters in place. Socket.Select keeps the order of what it leaves, so the two
    /// lists are matched back by walking them side by side.
    /// </summary>
    private sealed class Candidates
    {
        private readonly List<PsSocket> _open;

        public Candidates(IReadOnlyList<PsSocket> sockets, List<PsSocket> closed)
        {
            sockets = Distinct(sockets);
            _open = new List<PsSocket>(sockets.Count);
            Os = new List<Socket>(sockets.Count);
            for (int i = 0; i < sockets.Count; i++)
            {
                (sockets[i].IsClosed ? closed : _open).Add(sockets[i]);
            }
        }

        public List<Socket> Os { get; }

        /// <summary>Which open sockets hold bytes already read; null when none does.</summary>
        public bool[]? Buffered()
        {
            bool[]? buffered = null;
            for (int i = 0; i < _open.Count; i++)
            {
                if (_open[i].BytesBuffered > 0)
                {
                    (buffered ??= new bool[_open.Count])[i] = true;
                }
            }
            return buffered;
        }

        public void Refill()
        {
            Os.Clear();
            foreach (var s in _open)
            {
                Os.Add(s.Socket);
            }
        }

        public void AddNowClosed(List<PsSocket> closed)
        {
            foreach (var s in _open)
            {
                if (s.IsClosed)
                {
                    closed.Add(s);
                }
            }
        }

        /// <summary>The open sockets that Socket.Select left in <see cref="Os"/> or that are marked buffered.</summary>
        public PsSocket[] Ready(bool[]? buffered)
        {
            if (Os.Count == 0 && buffered is null)
            {
                return [];
            }
            var ready = new List<PsSocket>(Os.Count);
            for (int i = 0, k = 0; i < _open.Count; i++)
            {
                bool selected = k < Os.Count && ReferenceEquals(Os[k], _open[i].Socket);
                if (selected)
                {
                    k++;
                }
                if (selected || (buffered is not null && buffered[i]))
                {
                    ready.Add(_open[i]);
                }
            }
            return ready.ToArray();
        }
    }
}
