using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace PsSockets;

/// <summary>Datagram sockets (UDP, unix datagram): sendto and recvfrom, one whole message at a time.</summary>
public sealed partial class PsSocket
{
    /// <summary>Space for any UDP datagram (65,507 bytes over IPv4, 65,527 over IPv6).</summary>
    private const int DatagramSpace = 64 * 1024;
    private byte[]? _datagramSpace;
    private static readonly UnixDomainSocketEndPoint s_anyUnixSender = new(new string('x', UnixSocketPath.MaxBytes));
    private readonly List<IPAddress> _multicastGroups = [];

    /// <summary>True for UDP and unix datagram sockets: each send is one message, each receive one message.</summary>
    public bool IsDatagram => Socket.SocketType == SocketType.Dgram;

    /// <summary>The multicast groups this socket joined.</summary>
    public IReadOnlyList<IPAddress> MulticastGroups
    {
        get
        {
            lock (_multicastGroups)
            {
                return _multicastGroups.ToArray();
            }
        }
    }

    /// <summary>
    /// recvfrom(): the next datagram whole, with its sender. With <paramref name="maxSize"/> a longer one is
    /// cut to that size and marked <see cref="Datagram.Truncated"/> (the rest is gone: that is how datagram
    /// sockets work); without it the space grows to the datagram's size, so nothing is ever cut.
    /// </summary>
    public Datagram ReceiveDatagram(int? maxSize, bool peek, TimeSpan? timeout, CancellationToken token, Encoding? encoding = null)
    {
        long started = SocketCallLog.Start();
        try
        {
            return ReceiveOneDatagram(maxSize, peek, timeout, token, encoding);
        }
        catch (SocketOperationException e) when (ToldFailed($"recvfrom(#{Id}, {(maxSize is { } max ? $"{max}" : "a datagram")})", started, e, timeout))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    private Datagram ReceiveOneDatagram(int? maxSize, bool peek, TimeSpan? timeout, CancellationToken token, Encoding? encoding)
    {
        ThrowIfNotDatagram("receive a datagram on");
        ThrowIfUnbound();
        using var turn = TakeReceiveTurn(timeout, token);
        using var deadline = ReceiveDeadline(timeout, token);
        var flags = peek ? SocketFlags.Peek : SocketFlags.None;
        bool refusedAfterPoll = false;
        try
        {
            while (true)
            {
                if (refusedAfterPoll)
                {
                    deadline.BackOff(TimeSpan.FromMilliseconds(2));
                }
                WaitUntil(SelectMode.SelectRead, deadline);
                using var nonBlocking = new NonBlockingScope(this);
                int pending = Socket.Available; // Linux: the size of the next datagram
                var space = Space(maxSize ?? Math.Max(pending, DatagramSpace));
                var received = flags;
                EndPoint from = AnyEndPoint();
                int length;
                try
                {
                    length = Socket.ReceiveMessageFrom(space.Span, ref received, ref from, out _);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
                {
                    // poll said ready, yet nothing came: another reader took it, or poll woke for news recv does
                    // not give (an error queue, IP_RECVERR): wait a little before polling again, never spin.
                    refusedAfterPoll = true;
                    continue;
                }
                bool truncated = (received & SocketFlags.Truncated) != 0;
                Interlocked.Add(ref _bytesReceived, peek ? 0 : length);
                var sender = Socket.Connected ? RemoteEndPoint ?? from : Named(from);
                if (!peek)
                {
                    CountReceive(space.Span[..length], sender);
                    NoteMessage(truncated ? Math.Max(pending, length) : length);
                }
                return new Datagram(space[..length].ToArray(), sender, truncated ? Math.Max(pending, length) : length, truncated, this, encoding ?? s_utf8);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            throw Translate(e, deadline, "receive a datagram on");
        }
    }

    /// <summary>
    /// sendto() (or send() on a connected datagram socket): <paramref name="data"/> leaves as one datagram, or
    /// not at all. The first send of an unbound socket binds it to an ephemeral port, which LocalEndPoint then shows.
    /// </summary>
    public void SendDatagram(ReadOnlyMemory<byte> data, EndPoint? to, TimeSpan? timeout, CancellationToken token)
    {
        long started = SocketCallLog.Start();
        try
        {
            SendOneDatagram(data, to, timeout, token);
        }
        catch (SocketOperationException e) when (ToldFailed(to is null ? $"send(#{Id}, {data.Length} bytes)" : $"sendto(#{Id}, {data.Length} bytes, {FormatEndPoint(to)})", started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    private void SendOneDatagram(ReadOnlyMemory<byte> data, EndPoint? to, TimeSpan? timeout, CancellationToken token)
    {
        ThrowIfNotDatagram("send a datagram on");
        if (to is null && RemoteEndPoint is null)
        {
            throw new SocketOperationException(SocketFailure.NotConnected,
                $"Cannot send on {this}: a datagram socket that is not connected needs a destination (-To host:port).", this);
        }
        using var turn = TakeSendTurn(timeout, token);
        using var deadline = SendDeadline(timeout, token);
        using var nonBlocking = new NonBlockingScope(this);
        bool polledWritable = false;
        while (true)
        {
            try
            {
                int sent = to is null ? Socket.Send(data.Span) : Socket.SendTo(data.Span, SocketFlags.None, to);
                Interlocked.Add(ref _bytesSent, sent);
                CountSend(data.Span[..sent], to);
                NoteMessage(sent);
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                try
                {
                    if (polledWritable)
                    {
                        // An unconnected unix sender facing a receiver whose queue is full: poll(2) cannot see
                        // that queue and says writable at once, so wait a little instead of spinning.
                        deadline.BackOff(TimeSpan.FromMilliseconds(2));
                    }
                    WaitUntil(SelectMode.SelectWrite, deadline);
                    polledWritable = true;
                }
                catch (OperationCanceledException oce)
                {
                    throw Translate(oce, deadline, "send a datagram on");
                }
            }
            catch (SocketException e)
            {
                throw DatagramSendFailed(e, data.Length, to);
            }
            catch (ObjectDisposedException e)
            {
                throw Translate(e, deadline, "send a datagram on");
            }
        }
        if (LocalEndPoint is null)
        {
            RefreshEndPoints();
        }
    }

    /// <summary>
    /// Where a datagram goes: <paramref name="to"/> as an endpoint of this socket's family — a name is resolved
    /// (the first address of the family), an IPv4 address is mapped for a dual-mode IPv6 socket.
    /// </summary>
    public EndPoint ResolveDestination(EndPointText to, TimeSpan? timeout, CancellationToken token)
    {
        ThrowIfClosed();
        if (to.Exact is { } exact)
        {
            return Usable(exact, to);
        }
        if (to.UnixPath is { } path)
        {
            return AddressFamily == AddressFamily.Unix ? UnixSocketPath.EndPoint(path)
                : throw WrongFamily(to, "a unix path");
        }
        if (AddressFamily == AddressFamily.Unix)
        {
            throw WrongFamily(to, "an IP endpoint");
        }
        int port = to.Port ?? throw new SocketOperationException(SocketFailure.InvalidArgument,
            $"Cannot send to '{to.Host}': a destination needs a port ('{to.Host}:53', '[::1]:53').", to.ToString());
        if (IPAddress.TryParse(to.Host!.Trim('[', ']'), out var literal))
        {
            return Usable(new IPEndPoint(literal, port), to);
        }
        using var deadline = Deadline.Start(EffectiveSendTimeout(timeout), token);
        bool dual = AddressFamily == AddressFamily.InterNetworkV6 && Socket.DualMode;
        var addresses = AddressResolver.Lookup(to.Host!, AddressFamily.Unspecified, deadline);
        var usable = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily) ?? (dual ? addresses.FirstOrDefault() : null);
        if (usable is null)
        {
            throw new SocketOperationException(SocketFailure.HostNotFound,
                $"Cannot send to {to} on {this}: it has no {(AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address ({string.Join(", ", addresses.Select(a => a.ToString()))}).", to.ToString());
        }
        return new IPEndPoint(dual ? usable.MapToIPv6() : usable, port);
    }

    private EndPoint Usable(EndPoint endPoint, EndPointText to) => endPoint switch
    {
        _ when endPoint.AddressFamily == AddressFamily => endPoint,
        IPEndPoint { AddressFamily: AddressFamily.InterNetwork } v4 when AddressFamily == AddressFamily.InterNetworkV6 && Socket.DualMode =>
            new IPEndPoint(v4.Address.MapToIPv6(), v4.Port),
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } mapped when AddressFamily == AddressFamily.InterNetwork =>
            new IPEndPoint(mapped.Address.MapToIPv4(), mapped.Port),
        IPEndPoint ip => throw new SocketOperationException(SocketFailure.InvalidArgument,
            $"Cannot send to {to} from {this}: {ip.Address} is an {(ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address and the socket is not (New-Socket -AddressFamily {ip.AddressFamily}, or -DualMode for both).", to.ToString()),
        _ => throw WrongFamily(to, $"an endpoint of family {endPoint.AddressFamily}"),
    };

    /// <summary>Joins a multicast group (IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP) on the interface with <paramref name="interfaceAddress"/> (IPv4) or the system's choice.</summary>
    public void JoinMulticastGroup(IPAddress group, IPAddress? interfaceAddress = null) =>
        ChangeMembership(group, interfaceAddress, join: true);

    /// <summary>
    /// Makes the socket a member of exactly <paramref name="groups"/>: joins the new ones and leaves the others,
    /// on the interface its multicast goes out by (IP_MULTICAST_IF; the system's choice when unset).
    /// </summary>
    public void SetMulticastGroups(IReadOnlyCollection<IPAddress> groups)
    {
        ThrowIfClosed();
        foreach (var group in groups)
        {
            if (group is null || !IsMulticast(group) || group.AddressFamily != AddressFamily)
            {
                string what = group is null ? "$null" : $"{group}, which is not a multicast address of the socket's family";
                throw new SocketOperationException(SocketFailure.InvalidArgument,
                    $"Cannot set the multicast groups of {this}: the list holds {what}; nothing was joined or left.", this);
            }
        }
        var current = MulticastGroups;
        var by = MulticastInterfaceAddress();
        foreach (var group in current.Where(g => !groups.Contains(g)))
        {
            LeaveMulticastGroup(group, by);
        }
        foreach (var group in groups.Where(g => !current.Contains(g)).Distinct())
        {
            JoinMulticastGroup(group, by);
        }
    }

    private IPAddress? MulticastInterfaceAddress() => AddressFamily == AddressFamily.InterNetwork
        ? new IPAddress(Socket.GetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, 4))
        : null;

    /// <summary>Leaves a multicast group this socket joined.</summary>
    public void LeaveMulticastGroup(IPAddress group, IPAddress? interfaceAddress = null) =>
        ChangeMembership(group, interfaceAddress, join: false);

    private void ChangeMembership(IPAddress group, IPAddress? interfaceAddress, bool join)
    {
        ThrowIfClosed();
        string doing = join ? "join" : "leave";
        if (!IsDatagram || AddressFamily == AddressFamily.Unix || !IsMulticast(group))
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument, !IsMulticast(group)
                ? $"Cannot {doing} {group} on {this}: it is not a multicast address (224.0.0.0/4, ff00::/8)."
                : $"Cannot {doing} a multicast group on {this}: only UDP sockets take part in multicast.", this);
        }
        try
        {
            if (group.AddressFamily == AddressFamily.InterNetworkV6)
            {
                long index = interfaceAddress is null ? (int)Socket.GetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface)! : InterfaceIndex(interfaceAddress);
                Socket.SetSocketOption(SocketOptionLevel.IPv6, join ? SocketOptionName.AddMembership : SocketOptionName.DropMembership,
                    new IPv6MulticastOption(group, index));
            }
            else
            {
                Socket.SetSocketOption(SocketOptionLevel.IP, join ? SocketOptionName.AddMembership : SocketOptionName.DropMembership,
                    new MulticastOption(group, interfaceAddress ?? IPAddress.Any));
            }
        }
        catch (SocketException e)
        {
            SocketCallLog.Current?.Add($"{MembershipCall(group, join)} failed: {Errno.Name(e)}");
            throw SocketOperationException.FromSocketError(e, $"{doing} the multicast group {group} on {this}", this);
        }
        SocketCallLog.Current?.Add(MembershipCall(group, join));
        lock (_multicastGroups)
        {
            if (join)
            {
                _multicastGroups.Add(group);
            }
            else
            {
                _multicastGroups.Remove(group);
            }
        }
    }

    private string MembershipCall(IPAddress group, bool join) => group.AddressFamily == AddressFamily.InterNetworkV6
        ? $"setsockopt(#{Id}, IPPROTO_IPV6, {(join ? "IPV6_JOIN_GROUP" : "IPV6_LEAVE_GROUP")}, {group})"
        : $"setsockopt(#{Id}, IPPROTO_IP, {(join ? "IP_ADD_MEMBERSHIP" : "IP_DROP_MEMBERSHIP")}, {group})";

    /// <summary>IP_MULTICAST_IF / IPV6_MULTICAST_IF: the interface (by one of its addresses) a socket's multicast datagrams leave by.</summary>
    internal static void SetMulticastInterface(Socket socket, IPAddress interfaceAddress)
    {
        try
        {
            if (interfaceAddress.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, (int)InterfaceIndex(interfaceAddress));
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, interfaceAddress.GetAddressBytes());
            }
        }
        catch (SocketException e)
        {
            throw SocketOperationException.FromSocketError(e, $"send multicast by the interface of {interfaceAddress}", interfaceAddress);
        }
    }

    /// <summary>The index of the network interface that has <paramref name="address"/>; 0 (the system's choice) for none or the wildcard.</summary>
    private static long InterfaceIndex(IPAddress? address)
    {
        if (address is null || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Any))
        {
            return 0;
        }
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.Equals(address))
                {
                    return address.AddressFamily == AddressFamily.InterNetworkV6
                        ? nic.GetIPProperties().GetIPv6Properties().Index
                        : nic.GetIPProperties().GetIPv4Properties().Index;
                }
            }
        }
        return 0;
    }

    private static bool IsMulticast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? address.IsIPv6Multicast : (address.GetAddressBytes()[0] & 0xF0) == 0xE0;

    private Memory<byte> Space(int size)
    {
        if (_datagramSpace is null || _datagramSpace.Length < size)
        {
            _datagramSpace = new byte[Math.Max(size, _datagramSpace?.Length ?? 0)];
        }
        return _datagramSpace.AsMemory(0, size);
    }

    /// <summary>The sender, or null for an unnamed unix socket (which has no address, so it cannot be answered).</summary>
    private static EndPoint? Named(EndPoint from) =>
        from is UnixDomainSocketEndPoint unix && unix.ToString().TrimStart('@').TrimEnd('\0').Length == 0 ? null : from;

    private EndPoint AnyEndPoint() => AddressFamily switch
    {
        AddressFamily.InterNetworkV6 => new IPEndPoint(IPAddress.IPv6Any, 0),
        AddressFamily.Unix => s_anyUnixSender, // as long as the longest name: .NET sizes the sender's address buffer by it
        _ => new IPEndPoint(IPAddress.Any, 0),
    };

    private void ThrowIfNotDatagram(string doing)
    {
        ThrowIfClosed();
        if (!IsDatagram)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument, $"Cannot {doing} {this}: it is a stream socket.", this);
        }
    }

    private void ThrowIfUnbound()
    {
        if (LocalEndPoint is null)
        {
            RefreshEndPoints();
        }
        if (LocalEndPoint is null)
        {
            throw new SocketOperationException(SocketFailure.NotBound,
                $"Cannot receive on {this}: it has no address yet, so nothing can reach it. Bind it at birth (New-Socket -LocalPort 0, -Path), or send a datagram first.", this);
        }
    }

    private SocketOperationException WrongFamily(EndPointText to, string what) =>
        new(SocketFailure.InvalidArgument, $"Cannot send to {to} from {this}: that is {what}, and the socket is {Protocol} of family {AddressFamily}.", to.ToString());

    private SocketOperationException DatagramSendFailed(SocketException e, int length, EndPoint? to)
    {
        string where = to is null ? FormatEndPoint(RemoteEndPoint) : FormatEndPoint(to);
        return e.SocketErrorCode switch
        {
            SocketError.MessageSize => new SocketOperationException(SocketFailure.MessageTooLarge,
                $"Cannot send a datagram of {length} bytes to {where} on {this}: it is larger than one datagram can carry (UDP: 65,507 bytes over IPv4, 65,527 over IPv6; unix: the socket's send buffer). Nothing was sent.", this, e),
            SocketError.AccessDenied when to is IPEndPoint => new SocketOperationException(SocketFailure.AccessDenied,
                $"Cannot send to {where} on {this}: the OS refused ({e.SocketErrorCode}); a broadcast address needs the Broadcast option (-Broadcast or Set-SocketOption Broadcast $true).", this, e),
            SocketError.ConnectionRefused when AddressFamily == AddressFamily.Unix => new SocketOperationException(SocketFailure.ConnectionRefused,
                $"Cannot send to {where} on {this}: no socket is bound to that path any more (a file left behind by one that closed).", this, e),
            SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported when AddressFamily == AddressFamily.Unix => new SocketOperationException(SocketFailure.AddressNotAvailable,
                $"Cannot send to {where} on {this}: there is no socket file at that path.", this, e),
            SocketError.ConnectionRefused => new SocketOperationException(SocketFailure.ConnectionRefused,
                $"Cannot send to {where} on {this}: nothing listens there (the OS saw an ICMP port-unreachable for an earlier datagram).", this, e),
            _ => SocketOperationException.FromSocketError(e, $"send a datagram to {where} on {this}", this),
        };
    }
}
