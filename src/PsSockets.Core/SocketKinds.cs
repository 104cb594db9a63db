using System;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>The kinds of socket an option applies to: protocol and address family together.</summary>
[Flags]
public enum SocketKinds
{
    None = 0,
    TcpV4 = 1,
    TcpV6 = 2,
    UdpV4 = 4,
    UdpV6 = 8,
    Unix = 16,
    Tcp = TcpV4 | TcpV6,
    Udp = UdpV4 | UdpV6,
    IPv4 = TcpV4 | UdpV4,
    IPv6 = TcpV6 | UdpV6,
    Ip = Tcp | Udp,
    All = Ip | Unix,
}

/// <summary>Which kind a socket is, and the words an error uses for kinds.</summary>
public static class SocketKind
{
    public static SocketKinds Of(Socket socket) => (socket.AddressFamily, socket.SocketType) switch
    {
        (AddressFamily.Unix, _) => SocketKinds.Unix,
        (AddressFamily.InterNetwork, SocketType.Stream) => SocketKinds.TcpV4,
        (AddressFamily.InterNetworkV6, SocketType.Stream) => SocketKinds.TcpV6,
        (AddressFamily.InterNetwork, SocketType.Dgram) => SocketKinds.UdpV4,
        (AddressFamily.InterNetworkV6, SocketType.Dgram) => SocketKinds.UdpV6,
        _ => SocketKinds.None,
    };

    /// <summary>"TCP sockets", "UDP sockets over IPv4": what an option's <paramref name="kinds"/> are, for a message.</summary>
    public static string Describe(SocketKinds kinds) => kinds switch
    {
        SocketKinds.All => "every socket",
        SocketKinds.Ip => "TCP and UDP sockets",
        SocketKinds.Tcp => "TCP sockets",
        SocketKinds.Udp => "UDP sockets",
        SocketKinds.IPv4 => "IPv4 sockets",
        SocketKinds.IPv6 => "IPv6 sockets",
        SocketKinds.UdpV4 => "UDP sockets over IPv4",
        SocketKinds.UdpV6 => "UDP sockets over IPv6",
        _ => kinds.ToString(),
    };

    /// <summary>"TCP over IPv4", "unix": one kind, for a message.</summary>
    public static string Name(SocketKinds kind) => kind switch
    {
        SocketKinds.TcpV4 => "TCP over IPv4",
        SocketKinds.TcpV6 => "TCP over IPv6",
        SocketKinds.UdpV4 => "UDP over IPv4",
        SocketKinds.UdpV6 => "UDP over IPv6",
        SocketKinds.Unix => "unix",
        _ => "other",
    };

    /// <summary>What makes a socket of <paramref name="kind"/> fall outside <paramref name="kinds"/>: "UDP", "IPv4", "a unix socket".</summary>
    public static string Mismatch(SocketKinds kinds, SocketKinds kind)
    {
        if (kind == SocketKinds.Unix)
        {
            return "a unix socket";
        }
        if (kind == SocketKinds.None)
        {
            return "neither TCP nor UDP";
        }
        bool tcp = (kind & SocketKinds.Tcp) != 0;
        bool protocolFits = (kinds & (tcp ? SocketKinds.Tcp : SocketKinds.Udp)) != 0;
        if (!protocolFits)
        {
            return tcp ? "TCP" : "UDP";
        }
        return (kind & SocketKinds.IPv4) != 0 ? "IPv4" : "IPv6";
    }
}
