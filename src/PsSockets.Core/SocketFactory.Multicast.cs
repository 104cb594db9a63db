using System;
using System.Net;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>A multicast receiver: a UDP socket on a group's port that joined the group.</summary>
public static partial class SocketFactory
{
    /// <summary>
    /// A UDP socket that receives <paramref name="group"/>'s datagrams sent to <paramref name="port"/>, joined on the
    /// interface that has <paramref name="interfaceAddress"/> (which its own multicast sends use too). It binds the
    /// group's address where the OS allows it (Linux, macOS: only that group's datagrams arrive), else the interface's.
    /// Several receivers may share the group and port (SO_REUSEADDR), as multicast receivers do.
    /// </summary>
    public static PsSocket ListenMulticast(IPAddress group, int port, IPAddress interfaceAddress, SocketOptions options)
    {
        if (group.AddressFamily != interfaceAddress.AddressFamily)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"Cannot join {group} on the interface of {interfaceAddress}: one is {group.AddressFamily}, the other {interfaceAddress.AddressFamily}.", group);
        }
        var socket = New(group.AddressFamily, SocketType.Dgram);
        PsSocket? receiver = null;
        try
        {
            PsSocket.SetMulticastInterface(socket, interfaceAddress); // first: groups given in the options join by it too
            Configure(socket, options);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (SocketCallLog.Current is { } log)
            {
                log.Add($"setsockopt({log.Of(socket)}, SOL_SOCKET, SO_REUSEADDR, 1) (multicast receivers share the port)");
            }
            Bind(socket, new IPEndPoint(OperatingSystem.IsWindows() ? interfaceAddress : group, port));
            receiver = Wrap(socket, options);
            receiver.SetMulticastGroups([.. receiver.MulticastGroups, group]);
            return receiver;
        }
        catch
        {
            if (receiver is null)
            {
                Discard(socket);
            }
            receiver?.Close();
            throw;
        }
    }
}
