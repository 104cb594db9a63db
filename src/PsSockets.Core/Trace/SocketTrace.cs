using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;

namespace PsSockets;

/// <summary>
/// The trace of one socket: what it sent and received, with the bytes, and when it connected, accepted, shut down,
/// closed or failed. Kept within a budget of bytes, the oldest entries dropped first: each entry costs its kept
/// bytes plus <see cref="EntryCost"/>.
/// </summary>
public sealed class SocketTrace
{
    /// <summary>What a trace keeps unless told otherwise: 1 MiB.</summary>
    public const long DefaultLimit = 1024 * 1024;

    /// <summary>What an entry costs besides its bytes (the object, its time, endpoints and numbers).</summary>
    public const int EntryCost = 160;

    private readonly TraceRing<SocketTraceEntry> _ring;
    private readonly PsSocket _socket;
    private readonly LastEndPoint _local = new();
    private readonly LastEndPoint _remote = new();
    private long _sequence;

    internal SocketTrace(PsSocket socket, long limit)
    {
        if (limit < EntryCost)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), $"A trace needs at least {EntryCost} bytes: what one entry costs besides its data.");
        }
        _socket = socket;
        _ring = new TraceRing<SocketTraceEntry>(limit, entry => entry.Data.Length + EntryCost);
    }

    /// <summary>The Id of the traced socket.</summary>
    public int Socket => _socket.Id;

    /// <summary>The budget in bytes.</summary>
    public long Limit => _ring.Limit;

    /// <summary>What the kept entries cost now: never more than <see cref="Limit"/>.</summary>
    public long Cost => _ring.Cost;

    /// <summary>How many entries were dropped to stay within the budget.</summary>
    public long Dropped => _ring.Dropped;

    /// <summary>How many entries were ever recorded.</summary>
    public long Recorded => Interlocked.Read(ref _sequence);

    /// <summary>The kept entries, oldest first.</summary>
    public IReadOnlyList<SocketTraceEntry> Entries => _ring.Entries;

    public void Clear() => _ring.Clear();

    /// <summary>False once Disable-SocketTrace paused it: the kept entries stay readable.</summary>
    public bool IsRecording { get; internal set; } = true;

    /// <param name="length">How many bytes moved when <paramref name="data"/> does not hold them (sendfile moved them in the kernel).</param>
    internal void Add(SocketTraceEvent @event, ReadOnlySpan<byte> data, EndPoint? remote = null, string? detail = null, int? length = null)
    {
        long room = Math.Max(0, Limit - EntryCost);
        var kept = data.Length > room ? data[..(int)room] : data;
        _ring.Add(new SocketTraceEntry(_socket.Id, Interlocked.Increment(ref _sequence), DateTime.UtcNow, @event, length ?? data.Length, kept.ToArray(),
            _local.Format(_socket.LocalEndPoint), _remote.Format(remote ?? _socket.RemoteEndPoint), detail));
    }

    internal void Add(SocketTraceEvent @event, EndPoint? remote = null, string? detail = null) => Add(@event, [], remote, detail);

    /// <summary>An endpoint's text, made again only when the endpoint changes: a connection's stay the same for every entry.</summary>
    private sealed class LastEndPoint
    {
        private Shown? _last; // one reference: a send and a receive recording at once never see half of it

        public string Format(EndPoint? endPoint)
        {
            if (_last is { } last && ReferenceEquals(last.EndPoint, endPoint))
            {
                return last.Text;
            }
            string text = PsSocket.FormatEndPoint(endPoint);
            _last = new Shown(endPoint, text);
            return text;
        }

        private sealed record Shown(EndPoint? EndPoint, string Text);
    }
}
