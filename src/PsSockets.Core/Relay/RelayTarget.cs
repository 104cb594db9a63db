using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>Where a relay forwards: a host and port (resolved again for each connection, as names move) or a unix path.</summary>
internal sealed class RelayTarget
{
    private readonly EndPointText _text;
    private readonly UnixDomainSocketEndPoint? _unix;

    private RelayTarget(EndPointText text, UnixDomainSocketEndPoint? unix)
    {
        _text = text;
        _unix = unix;
    }

    public bool IsUnix => _unix is not null;

    public override string ToString() => _text.ToString();

    /// <summary>Checks the target before the relay starts: a unix path must be well formed, a host name must resolve.</summary>
    public static RelayTarget Check(EndPointText text, TimeSpan timeout, CancellationToken token)
    {
        if (text.UnixPath is { } path)
        {
            return new RelayTarget(text, UnixSocketPath.EndPoint(path));
        }
        AddressResolver.Resolve(text.Host!, AddressFamily.Unspecified, timeout, token);
        return new RelayTarget(text, null);
    }

    /// <summary>The target's first address as an endpoint (UDP: a datagram session sends to one place).</summary>
    public IPEndPoint FirstEndPoint(TimeSpan timeout, CancellationToken token) =>
        _unix is not null
            ? throw new SocketOperationException(SocketFailure.InvalidArgument, $"Cannot relay datagrams to {this}: a UDP relay forwards to host:port.", ToString())
            : new IPEndPoint(AddressResolver.Resolve(_text.Host!, AddressFamily.Unspecified, timeout, token)[0], _text.Port!.Value);

    /// <summary>A new stream connection to the target: each resolved address in turn until one accepts, all within <paramref name="timeout"/>.</summary>
    public async Task<Socket> ConnectAsync(string client, TimeSpan timeout, CancellationToken stopping)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        limit.CancelAfter(timeout);
        try
        {
            if (_unix is not null)
            {
                return await ConnectOneAsync(_unix, AddressFamily.Unix, ProtocolType.Unspecified, limit.Token).ConfigureAwait(false);
            }
            var addresses = await ResolveAsync(limit.Token).ConfigureAwait(false);
            SocketException? last = null;
            foreach (var address in addresses)
            {
                try
                {
                    var socket = await ConnectOneAsync(new IPEndPoint(address, _text.Port!.Value), address.AddressFamily, ProtocolType.Tcp, limit.Token).ConfigureAwait(false);
                    socket.NoDelay = true; // the relay writes what it read in one piece: Nagle would only add delay
                    return socket;
                }
                catch (SocketException e)
                {
                    last = e;
                }
            }
            throw last ?? new SocketException((int)SocketError.HostNotFound);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            throw new SocketOperationException(SocketFailure.OperationTimeout,
                $"Timed out after {Deadline.Describe(timeout)} connecting to {this} for client {client}.", ToString());
        }
        catch (SocketException e)
        {
            throw SocketOperationException.FromSocketError(e, $"connect to {this} for client {client}", ToString());
        }
    }

    private async Task<IPAddress[]> ResolveAsync(CancellationToken token)
    {
        string host = _text.Host!;
        return IPAddress.TryParse(host, out var literal) ? [literal]
            : await AddressResolver.QueryAsync(host, AddressFamily.Unspecified, token).ConfigureAwait(false);
    }

    private static async Task<Socket> ConnectOneAsync(EndPoint endPoint, AddressFamily family, ProtocolType protocol, CancellationToken token)
    {
        var socket = new Socket(family, SocketType.Stream, protocol);
        try
        {
            await socket.ConnectAsync(endPoint, token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
