using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace PsSockets.Core.Tests;

/// <summary>
/// A listener on [::1] whose backlog is full and which never accepts: the kernel drops the next
/// SYN, so a connect there hangs as it would on a dead route, all on loopback.
/// </summary>
internal sealed class DeadRoute : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = new();

    public DeadRoute()
    {
        _listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        _listener.Listen(0);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        for (int i = 0; i < 16; i++)
        {
            var filler = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            _fillers.Add(filler);
            try
            {
                filler.Connect(_listener.LocalEndPoint!);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                if (!filler.Poll(300_000, SelectMode.SelectWrite))
                {
                    return; // this one hangs: the backlog is full
                }
            }
        }
        throw new InvalidOperationException("Could not fill the backlog of a loopback listener.");
    }

    public int Port { get; }

    public void Dispose()
    {
        _fillers.ForEach(f => f.Dispose());
        _listener.Dispose();
    }
}
