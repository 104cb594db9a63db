using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>
/// The addresses of every host a Test-SocketConnection call checks, each looked up once however many of its ports
/// are checked. A failed lookup is kept too, unless <c>retryFailures</c> (-Wait) asks for a new one.
/// </summary>
internal sealed class HostAddressCache(TimeSpan timeout, bool retryFailures, CancellationToken stop)
{
    private readonly Dictionary<(string Host, AddressFamily Family), Task<IPAddress[]>> _lookups = new();

    /// <summary>The addresses of <paramref name="host"/> in the resolver's order, or a HostNotFound/OperationTimeout failure.</summary>
    public Task<IPAddress[]> Get(string host, AddressFamily family)
    {
        var key = (host.ToUpperInvariant(), family);
        lock (_lookups)
        {
            if (!_lookups.TryGetValue(key, out var lookup) || (retryFailures && lookup.IsFaulted))
            {
                lookup = LookupAsync(host, family);
                _lookups[key] = lookup;
            }
            return lookup;
        }
    }

    private async Task<IPAddress[]> LookupAsync(string host, AddressFamily family)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return literal.AddressFamily == family || family == AddressFamily.Unspecified ? [literal]
                : throw NoAddress(host, family);
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
        limit.CancelAfter(timeout);
        IPAddress[] addresses;
        try
        {
            addresses = await AddressResolver.QueryAsync(host, family, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new SocketOperationException(SocketFailure.OperationTimeout, $"Timed out after {Deadline.Describe(timeout)} resolving '{host}'.", host);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw AddressResolver.NotFound(host, host, e);
        }
        addresses = family == AddressFamily.Unspecified ? addresses : addresses.Where(a => a.AddressFamily == family).ToArray();
        return addresses.Length > 0 ? addresses : throw NoAddress(host, family);
    }

    private static SocketOperationException NoAddress(string host, AddressFamily family) =>
        new(SocketFailure.HostNotFound, $"Cannot resolve host '{host}': it has no address of family {family}.", host);
}
