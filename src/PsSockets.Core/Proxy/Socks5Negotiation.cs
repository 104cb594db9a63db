using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PsSockets;

/// <summary>
/// SOCKS5 CONNECT (RFC 1928): the greeting offers no authentication, and username/password (RFC 1929) when
/// there are credentials; a name goes to the proxy to resolve (ATYP 3), as ncat and socks5h:// do.
/// </summary>
internal sealed class Socks5Negotiation : ProxyNegotiation
{
    private const byte Version = 5;
    private const byte NoAuthentication = 0;
    private const byte UserPassword = 2;
    private const byte NoAcceptableMethod = 0xFF;
    private const byte UserPasswordVersion = 1;
    private const byte ConnectCommand = 1;
    private const byte IPv4 = 1;
    private const byte DomainName = 3;
    private const byte IPv6 = 4;

    private readonly NetworkCredential? _credential;
    private readonly byte[] _greeting;
    private readonly byte[]? _login;
    private readonly byte[] _request;

    public Socks5Negotiation(ProxyAddress proxy, string host, IPAddress? address, int port)
    {
        _credential = proxy.Credential;
        _greeting = _credential is null ? [Version, 1, NoAuthentication] : [Version, 2, NoAuthentication, UserPassword];
        _login = _credential is null ? null : Login(proxy, _credential);
        _request = Request(host, address, port);
    }

    public override void Run(ProxyConversation conversation)
    {
        conversation.Send(_greeting, "the SOCKS5 greeting");
        var choice = conversation.Receive(2, "its answer to the SOCKS5 greeting");
        if (choice[0] != Version)
        {
            throw NotSocks5(conversation, choice, "the greeting");
        }
        switch (choice[1])
        {
            case NoAuthentication:
                break;
            case UserPassword when _login is not null:
                LogIn(conversation);
                break;
            case NoAcceptableMethod:
                throw conversation.Failed(SocketFailure.ProxyAuthenticationFailed, _credential is null
                    ? "it accepts no connection without authentication; give a user name and password (-ProxyCredential, or socks5://user:password@host:port)"
                    : "it accepts neither no authentication nor a user name and password (it answered 0xFF: no acceptable method)");
            case byte other:
                throw conversation.Failed(SocketFailure.ProxyProtocolError, $"it chose authentication method 0x{other:X2}, which was not offered");
        }
        conversation.Send(_request, $"the SOCKS5 request to connect to {conversation.Target}");
        var reply = conversation.Receive(4, $"its answer to the request to connect to {conversation.Target}");
        if (reply[0] != Version)
        {
            throw NotSocks5(conversation, reply, "the request");
        }
        if (reply[1] != 0)
        {
            throw Refused(conversation, reply[1]);
        }
        // The address the proxy connected from (BND.ADDR, BND.PORT): read, so that what follows is the target's.
        int rest = reply[3] switch
        {
            IPv4 => 4 + 2,
            IPv6 => 16 + 2,
            DomainName => conversation.Receive(1, "the length of the name in its answer")[0] + 2,
            byte other => throw conversation.Failed(SocketFailure.ProxyProtocolError, $"its answer has address type {other}, which SOCKS5 does not have"),
        };
        conversation.Receive(rest, "the rest of its answer");
    }

    private void LogIn(ProxyConversation conversation)
    {
        conversation.Send(_login!, "the user name and password");
        var status = conversation.Receive(2, $"its answer to the user name and password of '{_credential!.UserName}'");
        if (status[0] is not UserPasswordVersion and not Version) // some servers answer with the SOCKS version here
        {
            throw conversation.Failed(SocketFailure.ProxyProtocolError,
                $"its answer to the user name and password, 0x{status[0]:X2} 0x{status[1]:X2}, is not a username/password status (RFC 1929)");
        }
        if (status[1] != 0)
        {
            throw conversation.Failed(SocketFailure.ProxyAuthenticationFailed,
                $"it rejected the user name and password of '{_credential.UserName}' (status {status[1]})");
        }
    }

    /// <summary>VER 1, ULEN, UNAME, PLEN, PASSWD (RFC 1929), in UTF-8; each field holds at most 255 bytes.</summary>
    private static byte[] Login(ProxyAddress proxy, NetworkCredential credential)
    {
        byte[] user = Encoding.UTF8.GetBytes(credential.UserName);
        byte[] password = Encoding.UTF8.GetBytes(credential.Password);
        if (user.Length is 0 or > 255 || password.Length > 255)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"Cannot log in to {proxy.Describe()}: a SOCKS5 user name has 1 to 255 bytes and a password at most 255 (UTF-8).", proxy.ToString());
        }
        var login = new List<byte>(3 + user.Length + password.Length) { UserPasswordVersion, (byte)user.Length };
        login.AddRange(user);
        login.Add((byte)password.Length);
        login.AddRange(password);
        return login.ToArray();
    }

    /// <summary>VER, CMD CONNECT, RSV, ATYP, DST.ADDR, DST.PORT (network byte order).</summary>
    private static byte[] Request(string host, IPAddress? address, int port)
    {
        var request = new List<byte> { Version, ConnectCommand, 0 };
        if (address is null)
        {
            request.Add(DomainName);
            request.Add((byte)host.Length);
            request.AddRange(Encoding.ASCII.GetBytes(host));
        }
        else
        {
            request.Add(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6 : IPv4);
            request.AddRange(address.GetAddressBytes());
        }
        Span<byte> portBytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(portBytes, (ushort)port);
        request.AddRange(portBytes.ToArray());
        return request.ToArray();
    }

    /// <summary>The reply codes of RFC 1928 section 6; those that say why the target could not be reached are the OS's failures.</summary>
    private static SocketOperationException Refused(ProxyConversation conversation, byte code)
    {
        var (failure, meaning) = code switch
        {
            1 => (SocketFailure.ProxyFailed, "general SOCKS server failure"),
            2 => (SocketFailure.ProxyFailed, "connection not allowed by ruleset"),
            3 => (SocketFailure.NetworkUnreachable, "network unreachable"),
            4 => (SocketFailure.HostUnreachable, "host unreachable"),
            5 => (SocketFailure.ConnectionRefused, "connection refused"),
            6 => (SocketFailure.ProxyFailed, "TTL expired"),
            7 => (SocketFailure.ProxyFailed, "command not supported"),
            8 => (SocketFailure.ProxyFailed, "address type not supported"),
            _ => (SocketFailure.ProxyFailed, "a reply code RFC 1928 does not define"),
        };
        return conversation.Failed(failure, $"the proxy answered {meaning} (SOCKS5 reply {code})");
    }

    private static SocketOperationException NotSocks5(ProxyConversation conversation, byte[] answer, string to)
    {
        string hint = answer[0] == (byte)'H' ? " (it looks like HTTP: is it an HTTP proxy? then write http://)" : string.Empty;
        return conversation.Failed(SocketFailure.ProxyProtocolError,
            $"its answer to {to} starts 0x{answer[0]:X2} 0x{answer[1]:X2} ('{ProxyConversation.Printable(answer)}'), not a SOCKS5 reply{hint}");
    }
}
