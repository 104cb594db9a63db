using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>The named socket options of Get-SocketOption and Set-SocketOption, and applying them at a socket's birth.</summary>
public static class SocketOptionCatalog
{
    private const string SolSocket = "SOL_SOCKET";
    private const string IpProtoTcp = "IPPROTO_TCP";
    private const string IpProtoIp = "IPPROTO_IP";
    private const string IpProtoIpv6 = "IPPROTO_IPV6";

    public static IReadOnlyList<SocketOptionDefinition> All { get; } =
    [
        Flag("NoDelay", "TCP_NODELAY", IpProtoTcp, SocketKinds.Tcp, "Sends small writes at once instead of gathering them (Nagle's algorithm off).",
            s => s.NoDelay, (s, v) => s.NoDelay = v),
        Flag("ReuseAddress", "SO_REUSEADDR", SolSocket, SocketKinds.Ip, "Binds a port that connections in TIME_WAIT still hold.",
            s => OptionCall.GetInt(s, NativeOption.SolSocket, NativeOption.SoReuseAddr) != 0,
            (s, v) => OptionCall.SetInt(s, NativeOption.SolSocket, NativeOption.SoReuseAddr, v ? 1 : 0)),
        Flag("ReusePort", "SO_REUSEPORT", SolSocket, SocketKinds.Ip, "Lets several sockets bind the same address and port; the system spreads the traffic.",
            s => OptionCall.GetInt(s, NativeOption.SolSocket, NativeOption.SoReusePortLinux) != 0,
            (s, v) => OptionCall.SetInt(s, NativeOption.SolSocket, NativeOption.SoReusePortLinux, v ? 1 : 0), supported: OperatingSystem.IsLinux()),
        Flag("KeepAlive", "SO_KEEPALIVE", SolSocket, SocketKinds.Tcp, "Probes an idle connection, so a peer that vanished is noticed.",
            s => (int)s.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)! != 0,
            (s, v) => s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, v)),
        TcpNumber("KeepAliveIdle", "TCP_KEEPIDLE", SocketOptionName.TcpKeepAliveTime, "seconds", "How long a connection is idle before the first keepalive probe."),
        TcpNumber("KeepAliveInterval", "TCP_KEEPINTVL", SocketOptionName.TcpKeepAliveInterval, "seconds", "The time between keepalive probes."),
        TcpNumber("KeepAliveCount", "TCP_KEEPCNT", SocketOptionName.TcpKeepAliveRetryCount, "probes", "How many probes go unanswered before the connection is dropped."),
        new SocketOptionDefinition("Linger", "SO_LINGER", SolSocket, SocketKinds.Tcp, typeof(int?),
            "How long close waits for unsent data: $null (off) closes in the background, 0 resets the connection (RST).",
            p => p.Socket.LingerState is { Enabled: true } l ? l.LingerTime : null,
            (s, v) => s.LingerState = v is int seconds ? new LingerOption(true, seconds) : new LingerOption(false, 0))
        { Unit = "seconds", Min = 0, Max = ushort.MaxValue },
        Number("ReceiveBufferSize", "SO_RCVBUF", SolSocket, SocketKinds.All, "bytes", 1, int.MaxValue,
            "The system's receive buffer (Linux reports twice what was set: half is its bookkeeping).",
            s => s.ReceiveBufferSize, (s, v) => s.ReceiveBufferSize = v),
        Number("SendBufferSize", "SO_SNDBUF", SolSocket, SocketKinds.All, "bytes", 1, int.MaxValue,
            "The system's send buffer (Linux reports twice what was set: half is its bookkeeping).",
            s => s.SendBufferSize, (s, v) => s.SendBufferSize = v),
        Flag("Broadcast", "SO_BROADCAST", SolSocket, SocketKinds.Udp, "Allows sending to a broadcast address.",
            s => s.EnableBroadcast, (s, v) => s.EnableBroadcast = v),
        Number("Ttl", "IP_TTL", IpProtoIp, SocketKinds.Ip, "hops", 1, 255, "How many routers a packet may cross (the IPv6 hop limit).",
            s => s.Ttl, (s, v) => s.Ttl = (short)v, v6: "IPV6_UNICAST_HOPS"),
        Flag("DualMode", "IPV6_V6ONLY", IpProtoIpv6, SocketKinds.IPv6, "Takes IPv4 traffic too, as IPv4-mapped addresses (the inverse of IPV6_V6ONLY); set it before bind.",
            s => s.DualMode, (s, v) => s.DualMode = v),
        Number("MulticastTtl", "IP_MULTICAST_TTL", IpProtoIp, SocketKinds.Udp, "hops", 0, 255, "How many routers a multicast packet may cross.",
            s => (int)s.GetSocketOption(IpLevel(s), SocketOptionName.MulticastTimeToLive)!,
            (s, v) => s.SetSocketOption(IpLevel(s), SocketOptionName.MulticastTimeToLive, v), v6: "IPV6_MULTICAST_HOPS"),
        Flag("MulticastLoopback", "IP_MULTICAST_LOOP", IpProtoIp, SocketKinds.Udp, "Delivers this socket's multicast packets to this host's own members too.",
            s => s.MulticastLoopback, (s, v) => s.MulticastLoopback = v, v6: "IPV6_MULTICAST_LOOP"),
        new SocketOptionDefinition("MulticastInterface", "IP_MULTICAST_IF", IpProtoIp, SocketKinds.UdpV4, typeof(IPAddress),
            "The local address whose interface sends multicast packets (0.0.0.0: the system chooses).",
            p => new IPAddress(p.Socket.GetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, 4)),
            (s, v) => s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, ((IPAddress)v!).GetAddressBytes())),
        new SocketOptionDefinition("MulticastGroups", "IP_ADD_MEMBERSHIP", IpProtoIp, SocketKinds.Udp, typeof(IPAddress[]),
            "The multicast groups the socket joined; set a list to join the new groups and leave the others (IP_DROP_MEMBERSHIP).",
            p => p.MulticastGroups.ToArray(), setOnSocket: null, (p, v) => p.SetMulticastGroups((IPAddress[])v!))
        { CNameV6 = "IPV6_JOIN_GROUP", LevelV6 = IpProtoIpv6 },
        new SocketOptionDefinition("Blocking", "O_NONBLOCK", "fcntl", SocketKinds.All, typeof(bool),
            "Whether calls wait (the inverse of O_NONBLOCK). $false: a call without its own -Timeout returns instead of waiting (a receive with nothing to read returns nothing, a connect only starts), as do .NET calls on the raw Socket.",
            p => p.GetBlocking(), (s, v) => s.Blocking = (bool)v!, (p, v) => p.SetBlocking((bool)v!)),
        Timeout("ReceiveTimeout", "SO_RCVTIMEO", "receives", p => p.ReceiveTimeout, (p, v) => p.ReceiveTimeout = v),
        Timeout("SendTimeout", "SO_SNDTIMEO", "sends", p => p.SendTimeout, (p, v) => p.SendTimeout = v),
    ];

    /// <summary>The option of that name (case-insensitive), or null.</summary>
    public static SocketOptionDefinition? Find(string name) =>
        All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The option of that name, or an InvalidArgument error that lists the names there are.</summary>
    public static SocketOptionDefinition Get(string name, object? target = null) =>
        Find(name) ?? throw new SocketOperationException(SocketFailure.InvalidArgument,
            $"'{name}' is not a socket option PsSockets knows; the options are {string.Join(", ", All.Select(o => o.Name))}. Others can be reached by level and number (-Level, -OptionName).",
            target ?? name);

    /// <summary>The options that apply to <paramref name="socket"/>'s kind and exist on this system, in catalog order.</summary>
    public static IEnumerable<SocketOptionDefinition> For(PsSocket socket) =>
        All.Where(o => o.IsSupported && o.AppliesToSocket(socket.Socket));

    /// <summary>
    /// Sets options by name (case-insensitive) to values already of each option's type. Every name, whether
    /// each option applies to the socket, and each value, is checked before any option is set, so a refusal
    /// changes nothing (short of the OS refusing a value it alone can judge).
    /// </summary>
    public static void Apply(PsSocket socket, IReadOnlyDictionary<string, object?> options)
    {
        var resolved = Resolve(options, socket);
        foreach (var (option, value) in resolved)
        {
            option.Validate(socket.Socket, socket, value); // a refusal comes before any option is set
        }
        foreach (var (option, value) in resolved)
        {
            option.Set(socket, value);
        }
    }

    /// <summary>
    /// Sets options on a socket before it is wrapped in a PsSocket, e.g. ReusePort before bind. Options the
    /// PsSocket keeps (<see cref="SocketOptionDefinition.NeedsPsSocket"/>: the per-direction timeouts) are
    /// left alone and returned, to apply with <see cref="Apply(PsSocket, IReadOnlyDictionary{string, object?})"/> once it is.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> Apply(Socket socket, IReadOnlyDictionary<string, object?> options)
    {
        var later = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        var resolved = Resolve(options, socket);
        foreach (var (option, value) in resolved)
        {
            option.Validate(socket, socket, value); // a refusal comes before any option is set
        }
        foreach (var (option, value) in resolved)
        {
            if (option.NeedsPsSocket)
            {
                later[option.Name] = value;
            }
            else
            {
                option.Set(socket, value);
            }
        }
        return later;
    }

    private static List<(SocketOptionDefinition Option, object? Value)> Resolve(IReadOnlyDictionary<string, object?> options, object target) =>
        options.Select(o => (Get(o.Key, target), o.Value)).ToList();

    private static SocketOptionLevel IpLevel(Socket s) =>
        s.AddressFamily == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP;

    /// <param name="v6">The C name on IPv6 sockets, at level IPPROTO_IPV6, when IPv6 has its own.</param>
    private static SocketOptionDefinition Flag(string name, string cName, string level, SocketKinds kinds, string summary,
        Func<Socket, bool> get, Action<Socket, bool> set, string? v6 = null, bool supported = true) =>
        new(name, cName, level, kinds, typeof(bool), summary, p => get(p.Socket), (s, v) => set(s, (bool)v!))
        {
            CNameV6 = v6,
            LevelV6 = v6 is null ? null : IpProtoIpv6,
            IsSupported = supported,
        };

    private static SocketOptionDefinition Number(string name, string cName, string level, SocketKinds kinds, string unit, int min, int max,
        string summary, Func<Socket, int> get, Action<Socket, int> set, string? v6 = null) =>
        new(name, cName, level, kinds, typeof(int), summary, p => get(p.Socket), (s, v) => set(s, (int)v!))
        {
            Unit = unit,
            Min = min,
            Max = max,
            CNameV6 = v6,
            LevelV6 = v6 is null ? null : IpProtoIpv6,
        };

    private static SocketOptionDefinition TcpNumber(string name, string cName, SocketOptionName option, string unit, string summary) =>
        Number(name, cName, IpProtoTcp, SocketKinds.Tcp, unit, 1, int.MaxValue, summary,
            s => (int)s.GetSocketOption(SocketOptionLevel.Tcp, option)!, (s, v) => s.SetSocketOption(SocketOptionLevel.Tcp, option, v));

    private static SocketOptionDefinition Timeout(string name, string cName, string calls, Func<PsSocket, double?> get, Action<PsSocket, double?> set) =>
        new(name, cName, SolSocket, SocketKinds.All, typeof(double?),
            $"The time limit of {calls} without their own -Timeout, before the socket's Timeout; also the system's {cName} (1 ms at least) for .NET calls on the raw Socket.",
            p => get(p), setOnSocket: null, (p, v) => set(p, (double?)v))
        { Unit = "seconds", Min = 0, Max = PsSocket.MaxTimeoutSeconds };
}
