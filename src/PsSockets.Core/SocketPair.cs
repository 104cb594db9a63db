using System;
using System.IO;
using System.Net;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>What connects the two sockets of a pair.</summary>
public enum SocketPairTransport
{
    /// <summary>A Unix domain stream connection (socketpair(AF_UNIX)): no port, nothing on the network.</summary>
    Unix,

    /// <summary>A TCP connection over 127.0.0.1, for code that must see TCP (Nagle, keepalive, IP endpoints).</summary>
    Tcp,
}

/// <summary>socketpair(): two sockets connected to each other, with no listener left behind.</summary>
public static class SocketPair
{
    /// <summary>
    /// Two connected stream sockets. .NET has no socketpair(), so a listener that only this call
    /// knows of (an abstract Unix name on Linux, a temporary socket file elsewhere, or 127.0.0.1 on
    /// an ephemeral port) accepts the one connection and is closed before the pair is returned.
    /// </summary>
    public static (PsSocket First, PsSocket Second) Create(SocketPairTransport transport, string? firstName, string? secondName)
    {
        var (endPoint, family, protocol, file) = transport switch
        {
            SocketPairTransport.Tcp => ((EndPoint)new IPEndPoint(IPAddress.Loopback, 0), AddressFamily.InterNetwork, ProtocolType.Tcp, (string?)null),
            _ => UnixRendezvous(),
        };
        using var listener = new Socket(family, SocketType.Stream, protocol);
        Socket? first = null;
        Socket? second = null;
        try
        {
            listener.Bind(endPoint);
            listener.Listen(1);
            // Both ends are local and the backlog is free: connect completes at once and accept finds it queued.
            first = new Socket(family, SocketType.Stream, protocol);
            first.Connect(listener.LocalEndPoint!);
            second = AcceptOurs(listener, first);
            if (transport == SocketPairTransport.Tcp)
            {
                first.NoDelay = second.NoDelay = true;
            }
            var pair = (new PsSocket(first, firstName), new PsSocket(second, secondName));
            SocketCallLog.Current?.Add($"socketpair({SocketCallLog.Family(family)}, SOCK_STREAM) -> #{pair.Item1.Id}, #{pair.Item2.Id}"
                + $" (.NET has none: made of a listener at {PsSocket.FormatEndPoint(listener.LocalEndPoint)} that accepted the one connect, then closed)");
            return pair;
        }
        catch (SocketException e)
        {
            first?.Dispose();
            second?.Dispose();
            throw SocketOperationException.FromSocketError(e, $"make a {transport} socket pair", transport.ToString());
        }
        finally
        {
            if (file is not null)
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>
    /// The accepted end of <paramref name="first"/>'s connection. Another local process could connect to
    /// the rendezvous between listen and our connect (an abstract name has no permissions); such a
    /// stranger is closed, never handed out as half of the pair.
    /// </summary>
    private static Socket AcceptOurs(Socket listener, Socket first)
    {
        for (int strangers = 0; strangers < 16; strangers++)
        {
            var accepted = listener.Accept(); // ours is queued already: this never waits long
            if (IsOurs(accepted, first))
            {
                return accepted;
            }
            accepted.Dispose();
        }
        throw new SocketException((int)SocketError.ConnectionRefused);
    }

    private static bool IsOurs(Socket accepted, Socket first)
    {
        if (accepted.AddressFamily != AddressFamily.Unix)
        {
            return Equals(accepted.RemoteEndPoint, first.LocalEndPoint);
        }
        if (!OperatingSystem.IsLinux())
        {
            return true; // the rendezvous is a file in this user's temporary folder
        }
        Span<byte> credentials = stackalloc byte[12]; // struct ucred: pid, uid, gid
        accepted.GetRawSocketOption(1 /* SOL_SOCKET */, 17 /* SO_PEERCRED */, credentials);
        return BitConverter.ToInt32(credentials) == Environment.ProcessId;
    }

    private static (EndPoint, AddressFamily, ProtocolType, string?) UnixRendezvous()
    {
        string unique = Guid.NewGuid().ToString("n")[..12];
        if (OperatingSystem.IsLinux())
        {
            // An abstract name: no file to create or clean up, gone when the listener closes.
            return (new UnixDomainSocketEndPoint("\0pssockets-pair-" + unique), AddressFamily.Unix, ProtocolType.Unspecified, null);
        }
        string file = Path.Combine(Path.GetTempPath(), $"pssockets-pair-{unique}.sock");
        return (new UnixDomainSocketEndPoint(file), AddressFamily.Unix, ProtocolType.Unspecified, file);
    }
}
