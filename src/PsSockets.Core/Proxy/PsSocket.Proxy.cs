using System.Threading;

namespace PsSockets;

/// <summary>Where a connection through a proxy really goes.</summary>
public sealed partial class PsSocket
{
    /// <summary>The proxy this connection goes through, shown without its password; null for a direct connection.</summary>
    public ProxyAddress? Proxy { get; private set; }

    /// <summary>The host and port the proxy connected this socket to (RemoteEndPoint is the proxy); null for a direct connection.</summary>
    public EndPointText? ProxyTarget { get; private set; }

    /// <summary>
    /// Marks the tunnel open. From here BytesSent and BytesReceived count what goes through it, not what opening
    /// it took; bytes of the target's that came with the proxy's answer are buffered, so they count as received.
    /// </summary>
    internal void MarkProxied(ProxyAddress proxy, EndPointText target)
    {
        Proxy = proxy;
        ProxyTarget = target;
        Interlocked.Exchange(ref _bytesSent, 0);
        Interlocked.Exchange(ref _bytesReceived, _buffer.Count);
    }

    /// <summary>The peer as ToString shows it: "localhost:80 via socks5 proxy 127.0.0.1:1080" through a proxy.</summary>
    private string DescribeRemote() =>
        Proxy is null ? FormatEndPoint(RemoteEndPoint) : $"{ProxyTarget} via {Proxy.Scheme} proxy {FormatEndPoint(RemoteEndPoint)}";
}
