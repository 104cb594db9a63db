using System;
using System.Collections.Generic;
using System.Linq;

namespace PsSockets;

/// <summary>The relays a session started and has not stopped (Get-SocketRelay): a relay leaves it when it is stopped.</summary>
public sealed class RelayRegistry
{
    private readonly Dictionary<int, SocketRelay> _relays = [];

    public SocketRelay Add(SocketRelay relay)
    {
        lock (_relays)
        {
            _relays.Add(relay.Id, relay);
        }
        relay.Stopped += OnStopped;
        return relay;
    }

    /// <summary>The relays, oldest first.</summary>
    public IReadOnlyList<SocketRelay> All
    {
        get
        {
            lock (_relays)
            {
                return _relays.Values.OrderBy(r => r.Id).ToArray();
            }
        }
    }

    public SocketRelay? Find(int id)
    {
        lock (_relays)
        {
            return _relays.GetValueOrDefault(id);
        }
    }

    /// <summary>Stops every relay, e.g. when the session ends or the module is removed, so none outlives it.</summary>
    public void StopAll()
    {
        foreach (var relay in All)
        {
            relay.Stop();
        }
    }

    private void OnStopped(object? sender, EventArgs e)
    {
        if (sender is SocketRelay relay)
        {
            lock (_relays)
            {
                _relays.Remove(relay.Id);
            }
        }
    }
}
