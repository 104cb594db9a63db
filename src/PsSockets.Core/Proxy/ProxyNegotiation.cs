using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>
/// What is said to a proxy to open a tunnel to a target. Everything sent is built (and checked) before the
/// proxy is connected to, so a target or a credential the protocol cannot carry fails without a connection.
/// </summary>
internal abstract class ProxyNegotiation
{
    public static ProxyNegotiation For(ProxyAddress proxy, string targetHost, int targetPort)
    {
        var target = TargetOf(proxy, targetHost, targetPort);
        return proxy.Protocol == ProxyProtocol.Socks5
            ? new Socks5Negotiation(proxy, target.Host, target.Address, targetPort)
            : new HttpConnectNegotiation(proxy, target.Host, targetPort);
    }

    /// <summary>Opens the tunnel: once this returns, the socket's bytes are the target's.</summary>
    public abstract void Run(ProxyConversation conversation);

    /// <summary>The target as the proxy is told it: an address, or a name (in its ASCII form) the proxy resolves.</summary>
    private static (string Host, IPAddress? Address) TargetOf(ProxyAddress proxy, string host, int port)
    {
        string bare = host is ['[', .., ']'] ? host[1..^1] : host;
        string? why = port is < 1 or > 65535 ? $"{port} is not a port (1 to 65535)"
            : bare.Length == 0 ? "there is no host"
            : bare.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) ? "a host name has no spaces or control characters"
            : null;
        if (why is null && IsAddress(bare, out var address))
        {
            return (address!.ToString(), address);
        }
        string ascii = bare;
        if (why is null && !bare.All(char.IsAscii))
        {
            try
            {
                ascii = new IdnMapping().GetAscii(bare);
            }
            catch (ArgumentException e)
            {
                why = $"'{bare}' is not a valid international domain name ({e.Message.TrimEnd('.')})";
            }
        }
        if (why is null && ascii.Length > 255)
        {
            why = "a host name sent to a proxy has at most 255 characters";
        }
        return why is null ? (ascii, null)
            : throw new SocketOperationException(SocketFailure.InvalidArgument, $"Cannot connect to '{host}' via {proxy.Describe()}: {why}.", host);
    }

    /// <summary>Only what is written as an address is one (1.2.3.4, ::1); "127.1" or "10" are names, as a proxy would see them.</summary>
    private static bool IsAddress(string host, out IPAddress? address) =>
        IPAddress.TryParse(host, out address)
        && (address.AddressFamily == AddressFamily.InterNetworkV6 ? host.Contains(':') : host.Count(c => c == '.') == 3);
}
