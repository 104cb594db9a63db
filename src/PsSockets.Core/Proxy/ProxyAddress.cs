using System;
using System.Net;

namespace PsSockets;

/// <summary>The protocols a proxy can speak to us.</summary>
public enum ProxyProtocol
{
    /// <summary>SOCKS version 5 (RFC 1928), with username/password authentication (RFC 1929).</summary>
    Socks5,

    /// <summary>An HTTP proxy's CONNECT tunnel, with Basic proxy authentication.</summary>
    Http,
}

/// <summary>
/// A proxy as written: <c>socks5://[user:pass@]host[:port]</c> (<c>socks5h://</c> is the same: names go to the
/// proxy to resolve either way) or <c>http://[user:pass@]host[:port]</c>. It shows, and is shown, without its password.
/// </summary>
public sealed class ProxyAddress
{
    public const int DefaultSocksPort = 1080;
    public const int DefaultHttpPort = 8080;

    private ProxyAddress(ProxyProtocol protocol, string host, int port, NetworkCredential? credential)
    {
        Protocol = protocol;
        Host = host;
        Port = port;
        Credential = credential;
    }

    public ProxyProtocol Protocol { get; }

    /// <summary>The proxy's name or address, without brackets around an IPv6 address.</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>Who the proxy is told we are, or null when no credentials go to it.</summary>
    public string? UserName => Credential?.UserName;

    /// <summary>The user and password written in the address. Internal: a script never reads the password back.</summary>
    internal NetworkCredential? Credential { get; }

    /// <summary>"socks5" or "http", as the address is written and messages name it.</summary>
    public string Scheme => Protocol == ProxyProtocol.Socks5 ? "socks5" : "http";

    /// <summary>host:port, with brackets around an IPv6 address.</summary>
    public string EndPoint => new EndPointText(Host, Port, null).ToString();

    /// <summary>Reads a proxy address; an error never shows the password that was written in it.</summary>
    public static ProxyAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            throw Invalid(text, "it has no scheme; write socks5://host:port or http://host:port");
        }
        var protocol = text[..schemeEnd].ToLowerInvariant() switch
        {
            "socks5" or "socks5h" => ProxyProtocol.Socks5,
            "http" => ProxyProtocol.Http,
            string other => throw Invalid(text, $"the scheme '{other}' is not supported; socks5:// (or socks5h://) and http:// are"),
        };
        string authority = text[(schemeEnd + 3)..];
        int at = authority.LastIndexOf('@'); // a password may hold '@' and '/': the host comes after the last '@'
        var credential = at < 0 ? null : CredentialOf(text, authority[..at]);
        string hostAndPort = authority[(at + 1)..];
        if (hostAndPort.EndsWith('/'))
        {
            hostAndPort = hostAndPort[..^1];
        }
        if (hostAndPort.IndexOfAny(['/', '?', '#']) >= 0)
        {
            throw Invalid(text, "a proxy address is a scheme, a host and a port: it has no path, query or fragment");
        }
        var endPoint = EndPointOf(text, hostAndPort);
        int port = endPoint.Port ?? (protocol == ProxyProtocol.Socks5 ? DefaultSocksPort : DefaultHttpPort);
        if (port == 0)
        {
            throw Invalid(text, "port 0 cannot be connected to");
        }
        return new ProxyAddress(protocol, endPoint.Host!, port, credential);
    }

    /// <summary>The same proxy with these credentials (null: none).</summary>
    internal ProxyAddress WithCredential(NetworkCredential? credential) => new(Protocol, Host, Port, credential);

    /// <summary>What a socket keeps to show its route: the user name stays, the password goes.</summary>
    internal ProxyAddress WithoutPassword() =>
        WithCredential(UserName is null ? null : new NetworkCredential(UserName, (string?)null));

    /// <summary>"socks5 proxy 127.0.0.1:1080", as messages name it.</summary>
    internal string Describe() => $"{Scheme} proxy {EndPoint}";

    /// <summary>The address without the password: <c>socks5://user@host:1080</c>.</summary>
    public override string ToString() =>
        UserName is null ? $"{Scheme}://{EndPoint}" : $"{Scheme}://{Uri.EscapeDataString(UserName)}@{EndPoint}";

    /// <summary>The text with the password of its user information replaced by ***, for messages about text that could not be read.</summary>
    public static string Redact(string text)
    {
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int at = text.LastIndexOf('@');
        int colon = at <= start ? -1 : text.IndexOf(':', start, at - start);
        return colon < 0 ? text : string.Concat(text.AsSpan(0, colon + 1), "***", text.AsSpan(at));
    }

    private static NetworkCredential CredentialOf(string text, string userInfo)
    {
        int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        string user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        string password = colon < 0 ? string.Empty : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        return user.Length == 0 ? throw Invalid(text, "there is no user name before the '@'") : new NetworkCredential(user, password);
    }

    private static EndPointText EndPointOf(string text, string hostAndPort)
    {
        EndPointText endPoint;
        try
        {
            endPoint = EndPointText.Parse(hostAndPort);
        }
        catch (SocketOperationException e)
        {
            string prefix = $"Cannot read the endpoint '{hostAndPort}': ";
            throw Invalid(text, (e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message).TrimEnd('.'));
        }
        return endPoint.UnixPath is not null || string.IsNullOrWhiteSpace(endPoint.Host)
            ? throw Invalid(text, "there is no host")
            : endPoint;
    }

    private static SocketOperationException Invalid(string text, string why) =>
        new(SocketFailure.InvalidArgument, $"Cannot read the proxy address '{Redact(text)}': {why}.", Redact(text));
}
