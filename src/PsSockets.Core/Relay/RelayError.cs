using System;
using System.Collections.Generic;
using System.Threading;

namespace PsSockets;

/// <summary>Something that went wrong in a running relay: a target that refused a client, a reset, a failed accept.</summary>
public sealed class RelayError
{
    internal RelayError(int connection, string? client, SocketOperationException exception)
    {
        Connection = connection;
        Client = client;
        Exception = exception;
        _timeUtc = DateTime.UtcNow;
    }

    public DateTime Time => _timeUtc.ToLocalTime();
    private readonly DateTime _timeUtc;

    /// <summary>The relay's number of the connection (or UDP session) it happened on; 0 for the relay itself (its listener).</summary>
    public int Connection { get; }

    /// <summary>The client's endpoint, when it happened on a client's connection.</summary>
    public string? Client { get; }

    /// <summary>The stable id, as the cmdlets' errors have it: ConnectionRefused, ConnectionReset, OperationTimeout...</summary>
    public string ErrorId => Exception.ErrorId;

    public string Message => Exception.Message;

    public SocketOperationException Exception { get; }

    public override string ToString() => $"{ErrorId}: {Message}";
}

/// <summary>A relay's latest errors, at most <see cref="Capacity"/> (the oldest go first), and how many there were in all.</summary>
internal sealed class RelayErrorLog
{
    public const int Capacity = 100;

    private readonly Queue<RelayError> _errors = new();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public IReadOnlyList<RelayError> Latest
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToArray();
            }
        }
    }

    public void Add(RelayError error)
    {
        Interlocked.Increment(ref _count);
        lock (_errors)
        {
            if (_errors.Count == Capacity)
            {
                _errors.Dequeue();
            }
            _errors.Enqueue(error);
        }
    }
}
