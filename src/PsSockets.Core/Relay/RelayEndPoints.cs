using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>The endpoint texts a relay takes: where it listens and where it forwards.</summary>
public static class RelayEndPoints
{
    /// <summary>
    /// A listen endpoint: <c>127.0.0.1:8080</c>, <c>[::1]:0</c>, <c>unix:/tmp/a.sock</c>, or a port alone
    /// (<c>8080</c>), which listens on loopback: exposing a port to the network is an explicit choice.
    /// </summary>
    public static EndPointText ParseListen(string text)
    {
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535
                ? new EndPointText(IPAddress.Loopback.ToString(), port, null)
                : throw Invalid(text, $"'{text}' is not a port (0 to 65535)");
        }
        var parsed = EndPointText.Parse(text);
        return parsed.UnixPath is not null || parsed.Port is not null ? parsed
            : throw Invalid(text, "a listen endpoint needs a port (127.0.0.1:8080, or 0 for any free port) or a unix path (unix:/tmp/relay.sock)");
    }

    /// <summary>A target: <c>host:port</c>, <c>[::1]:80</c> or <c>unix:/run/app.sock</c>; port 0 is no place to connect to.</summary>
    public static EndPointText ParseTarget(string text)
    {
        var parsed = EndPointText.Parse(text);
        return parsed.UnixPath is not null || parsed.Port is > 0 ? parsed
            : throw Invalid(text, "a target needs a port from 1 to 65535 (host:80) or a unix path (unix:/run/app.sock)");
    }

    /// <summary>The address and port to bind for <paramref name="listen"/>: a literal as it is, a name's first address.</summary>
    internal static IPEndPoint Local(EndPointText listen, TimeSpan timeout, CancellationToken token) =>
        listen.Exact as IPEndPoint
        ?? new IPEndPoint(AddressResolver.Resolve(listen.Host!, AddressFamily.Unspecified, timeout, token)[0], listen.Port!.Value);

    private static SocketOperationException Invalid(string text, string why) =>
        new(SocketFailure.InvalidArgument, $"Cannot read the endpoint '{text}': {why}.", text);
}
