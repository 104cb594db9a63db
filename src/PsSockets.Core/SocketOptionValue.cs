namespace PsSockets;

/// <summary>One option of one socket, as Get-SocketOption writes it.</summary>
public sealed class SocketOptionValue
{
    internal SocketOptionValue(PsSocket socket, string name, object? value, string unit, string cName, string level)
    {
        Socket = socket;
        Name = name;
        Value = value;
        Unit = unit;
        CName = cName;
        Level = level;
    }

    /// <summary>The socket (so the object pipes into Set-SocketOption, which binds -Socket by property name).</summary>
    public PsSocket Socket { get; }

    public int SocketId => Socket.Id;

    public string Name { get; }

    /// <summary>bool, int, IPAddress; null is off (Linger) or no limit (the timeouts).</summary>
    public object? Value { get; }

    /// <summary>What a number counts: seconds, bytes, hops, probes; empty for the others.</summary>
    public string Unit { get; }

    /// <summary>The option's name in C, for this socket (IP_TTL or IPV6_UNICAST_HOPS).</summary>
    public string CName { get; }

    /// <summary>The C level: SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6; fcntl for Blocking.</summary>
    public string Level { get; }

    public override string ToString() => $"{Name} = {Value ?? "off"}";
}
