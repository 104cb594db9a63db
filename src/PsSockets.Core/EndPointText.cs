using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>An endpoint as a person writes it: a host with or without a port, or a unix path.</summary>
public sealed record EndPointText(string? Host, int? Port, string? UnixPath)
{
    /// <summary>The endpoint object this text was made from, kept as it is (a datagram's sender: nothing to resolve).</summary>
    public EndPoint? Exact { get; init; }

    /// <summary>An endpoint object (IPEndPoint, UnixDomainSocketEndPoint) in the same form, kept exact.</summary>
    public static EndPointText FromEndPoint(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => new EndPointText(ip.Address.ToString(), ip.Port, null) { Exact = endPoint },
        DnsEndPoint dns => new EndPointText(dns.Host, dns.Port, null), // a name: resolved as any written host is
        UnixDomainSocketEndPoint => new EndPointText(null, null, PsSocket.FormatEndPoint(endPoint)["unix:".Length..]) { Exact = endPoint },
        _ => new EndPointText(null, null, null) { Exact = endPoint },
    };

    public override string ToString() => Exact is not null ? PsSocket.FormatEndPoint(Exact)
        : UnixPath is not null ? UnixSocketPath.Display(UnixPath)
        : Port is null ? Host ?? string.Empty
        : Host!.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>
    /// Reads the one form endpoints print in: <c>127.0.0.1:80</c>, <c>[::1]:80</c>, <c>db01:5432</c>,
    /// <c>unix:/run/app.sock</c>, <c>unix:@name</c>; and a host alone (<c>db01</c>, <c>::1</c>, <c>[::1]</c>).
    /// An IPv6 address with a port needs its brackets, since its own colons would hide the port's.
    /// </summary>
    public static EndPointText Parse(string text)
    {
        if (text.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) && !IsPortNumber(text["unix:".Length..]))
        {
            string path = text["unix:".Length..];
            return path.Length > 0 ? new EndPointText(null, null, path) : throw Invalid(text, "a unix endpoint needs a path after 'unix:'");
        }
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid(text, "the '[' of an IPv6 address has no ']'");
            }
            string rest = text[(close + 1)..];
            if (close == 1)
            {
                throw Invalid(text, "there is no address between the brackets");
            }
            if (!IsIPv6(text[1..close]))
            {
                // "[x:1]" read as the host "x:1" would print as x:1, which reads back as host x, port 1.
                throw Invalid(text, $"'{text[1..close]}' is not an IPv6 address, and only one goes between brackets");
            }
            return rest.Length == 0 ? new EndPointText(text[1..close], null, null)
                : rest[0] == ':' ? new EndPointText(text[1..close], PortOf(text, rest[1..]), null)
                : throw Invalid(text, "only ':' and a port may follow ']'");
        }
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || text.IndexOf(':', colon + 1) >= 0)
        {
            return new EndPointText(text, null, null); // a name, or an IPv6 address without a port
        }
        return colon > 0 ? new EndPointText(text[..colon], PortOf(text, text[(colon + 1)..]), null)
            : throw Invalid(text, "there is no host before the port");
    }

    /// <summary>An IPv6 address, with a scope after '%' (a number or an interface name) or without.</summary>
    private static bool IsIPv6(string text)
    {
        int scope = text.IndexOf('%', StringComparison.Ordinal);
        return scope != text.Length - 1
            && IPAddress.TryParse(scope < 0 ? text : text[..scope], out var address)
            && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    private static bool IsPortNumber(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    /// <summary>What to say when a port is written into <paramref name="text"/> and given as a parameter too.</summary>
    public static string PortGivenTwice(string text) => $"'{text}' has a port already; leave -Port out, or the port out of the name.";

    private static int PortOf(string text, string port) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= 65535
            ? p
            : throw Invalid(text, $"'{port}' is not a port (0 to 65535)");

    private static SocketOperationException Invalid(string text, string why) =>
        new(SocketFailure.InvalidArgument, $"Cannot read the endpoint '{text}': {why}.", text);
}
