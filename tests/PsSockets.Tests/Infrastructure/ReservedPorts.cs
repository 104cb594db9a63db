using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// 127.0.0.1 ports held bound and not listening: a connect to one is refused (RST), and no other test can take it
/// meanwhile. <see cref="Listen"/> opens one later, for a service that comes up while a check waits for it.
/// </summary>
public sealed class ReservedPorts : IDisposable
{
    private readonly List<Socket> _sockets;

    private ReservedPorts(List<Socket> sockets)
    {
        _sockets = sockets;
        Ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
    }

    public IReadOnlyList<int> Ports { get; }

    /// <summary>Whether 127.0.0.1:<paramref name="port"/> is free: nothing holds it (a listener that was stopped has let it go).</summary>
    public static bool IsFree(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static ReservedPorts Take(int count)
    {
        var sockets = new List<Socket>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }
            return new ReservedPorts(sockets);
        }
        catch
        {
            sockets.ForEach(s => s.Dispose());
            throw;
        }
    }

    /// <summary>Starts listening on the <paramref name="index"/>th port: connects to it succeed from now on.</summary>
    public void Listen(int index) => _sockets[index].Listen(16);

    public void Dispose() => _sockets.ForEach(s => s.Dispose());
}
