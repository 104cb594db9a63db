using System;
using System.Collections.Generic;
using System.Linq;

namespace PsSockets;

/// <summary>The sockets a session opened and has not closed (Get-Socket): a socket leaves it when it closes.</summary>
public sealed class SocketRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<int, PsSocket> _sockets = new();
    private readonly RecentItems<PsSocket> _closedTraced = new(ClosedTracesKept);

    /// <summary>How many closed sockets' traces the session keeps for Get-SocketTrace, newest last.</summary>
    public const int ClosedTracesKept = 16;

    /// <summary>The session-wide trace switch (Enable-SocketTrace): the budget of every new socket's trace; 0: off.</summary>
    public long TraceLimit { get; set; }

    /// <summary>The traces of the sockets closed last, so a conversation can be read after it ended.</summary>
    public IReadOnlyList<PsSocket> ClosedTraced => _closedTraced.ToArray();

    public PsSocket Add(PsSocket socket)
    {
        if (TraceLimit > 0 && socket.Trace is null)
        {
            socket.StartTraceAtBirth(TraceLimit);
        }
        // Subscribed before the check: a socket another thread closes meanwhile is either seen closed
        // here or removed by OnClosed, never left behind.
        socket.Closed += OnClosed;
        bool added;
        lock (_gate)
        {
            added = !socket.IsClosed && _sockets.TryAdd(socket.Id, socket);
        }
        if (!added)
        {
            socket.Closed -= OnClosed; // closed already, or known already (and subscribed then)
        }
        return socket;
    }

    /// <summary>Forgets a socket without closing it (it changes hands, e.g. a server's client after its handler).</summary>
    public void Remove(PsSocket socket)
    {
        socket.Closed -= OnClosed;
        lock (_gate)
        {
            if (_sockets.TryGetValue(socket.Id, out var known) && known == socket)
            {
                _sockets.Remove(socket.Id);
            }
        }
    }

    /// <summary>The open sockets, oldest first.</summary>
    public IReadOnlyList<PsSocket> All
    {
        get
        {
            lock (_gate)
            {
                return _sockets.Values.OrderBy(s => s.Id).ToArray();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sockets.Count;
            }
        }
    }

    public PsSocket? Find(int id)
    {
        lock (_gate)
        {
            return _sockets.GetValueOrDefault(id);
        }
    }

    /// <summary>Closes every socket, e.g. when the session ends, so none outlives it.</summary>
    public void CloseAll()
    {
        foreach (var socket in All)
        {
            socket.Close();
        }
    }

    private void OnClosed(object? sender, EventArgs e)
    {
        if (sender is PsSocket socket)
        {
            lock (_gate)
            {
                _sockets.Remove(socket.Id);
            }
            if (socket.Trace is not null)
            {
                _closedTraced.Add(socket);
            }
        }
    }
}
