using System;
using System.Collections.Generic;
using System.Linq;
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
/// set instead of failing the call.
/// </summary>
public static class SocketSelector
{
    // The OS wait is cut into slices so that a stop (Ctrl+C) is seen within this time.
    private static readonly TimeSpan s_slice = TimeSpan.FromMilliseconds(100);

    public static SelectResult Select(IReadOnlyCollection<PsSocket> read, IReadOnlyCollection<PsSocket> write,
        IReadOnlyCollection<PsSocket> error, TimeSpan? timeout, CancellationToken token)
    {
        var closed = read.Concat(write).Concat(error).Where(s => s.IsClosed).Distinct().ToArray();
        var buffered = read.Where(s => !s.IsClosed && s.BytesBuffered > 0).Distinct().ToArray();
        var deadline = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var wait = buffered.Length > 0 || closed.Length > 0 ? TimeSpan.Zero : Remaining(deadline);
            var ready = SelectOnce(read, write, error, wait < s_slice ? wait : s_slice);
            if (ready is not null || wait == TimeSpan.Zero || DateTime.UtcNow >= deadline)
            {
                var readable = buffered.Union(ready?.Read ?? []).ToArray();
                var failed = closed.Union(ready?.Error ?? []).ToArray();
                return new SelectResult(readable, ready?.Write ?? [], failed);
            }
        }
    }

    private static TimeSpan Remaining(DateTime deadline) =>
        deadline == DateTime.MaxValue ? TimeSpan.MaxValue : Max(deadline - DateTime.UtcNow, TimeSpan.Zero);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static SelectResult? SelectOnce(IReadOnlyCollection<PsSocket> read, IReadOnlyCollection<PsSocket> write,
        IReadOnlyCollection<PsSocket> error, TimeSpan wait)
    {
        var byOsSocket = new Dictionary<Socket, PsSocket>();
        List<Socket> Open(IEnumerable<PsSocket> sockets)
        {
            var list = new List<Socket>();
            foreach (var s in sockets.Where(s => !s.IsClosed).Distinct())
            {
                byOsSocket[s.Socket] = s;
                list.Add(s.Socket);
            }
            return list;
        }
        var r = Open(read);
        var w = Open(write);
        var e = Open(error);
        if (r.Count + w.Count + e.Count == 0)
        {
            // Nothing to wait on: select() with empty sets just sleeps.
            Thread.Sleep(wait);
            return null;
        }
        try
        {
            Socket.Select(r.Count > 0 ? r : null, w.Count > 0 ? w : null, e.Count > 0 ? e : null, wait);
        }
        catch (ObjectDisposedException)
        {
            // A socket was closed by another thread during the wait: the next round reports it.
            return new SelectResult([], [], byOsSocket.Values.Where(s => s.IsClosed).ToArray());
        }
        if (r.Count + w.Count + e.Count == 0)
        {
            return null;
        }
        return new SelectResult(r.Select(s => byOsSocket[s]).ToArray(), w.Select(s => byOsSocket[s]).ToArray(), e.Select(s => byOsSocket[s]).ToArray());
    }
}
