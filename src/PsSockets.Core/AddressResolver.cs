using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>getaddrinfo(): a host name or an address literal to its addresses, in the resolver's order.</summary>
public static class AddressResolver
{
    /// <summary>
    /// Every address of <paramref name="host"/> of <paramref name="family"/> (Unspecified: both), in the
    /// order the system resolver gives them, which is the order a connect should try them in.
    /// </summary>
    public static IPAddress[] Resolve(string host, AddressFamily family, TimeSpan? timeout, CancellationToken token) =>
        Resolve(host, family, timeout, token, port: null);

    private static IPAddress[] Resolve(string host, AddressFamily family, TimeSpan? timeout, CancellationToken token, int? port)
    {
        using var deadline = Deadline.Start(timeout, token);
        var addresses = Lookup(host, family, deadline, port);
        if (family != AddressFamily.Unspecified)
        {
            addresses = addresses.Where(a => a.AddressFamily == family).ToArray();
        }
        return addresses.Length > 0 ? addresses
            : throw new SocketOperationException(SocketFailure.HostNotFound, $"Cannot resolve host '{host}': it has no address of family {family}.", host);
    }

    /// <summary>Like <see cref="Resolve"/>, each address paired with <paramref name="port"/> as an endpoint.</summary>
    public static ResolvedAddress[] ResolveEndPoints(string host, int port, AddressFamily family, TimeSpan? timeout, CancellationToken token) =>
        Resolve(host, family, timeout, token, port).Select(a => new ResolvedAddress(host, a, port)).ToArray();

    /// <summary>The addresses of a name, or the address a literal (bracketed or not) stands for.</summary>
    /// <param name="port">The port the caller will use the addresses with, for -Verbose's getaddrinfo line only.</param>
    internal static IPAddress[] Lookup(string host, AddressFamily family, in Deadline deadline, int? port = null)
    {
        string name = host.Length > 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        if (IPAddress.TryParse(name, out var literal))
        {
            return [literal]; // no getaddrinfo: a literal is its own address
        }
        long started = SocketCallLog.Start();
        string call = port is null ? $"getaddrinfo(\"{name}\")" : $"getaddrinfo(\"{name}\", {port})";
        try
        {
            var addresses = QueryAsync(name, family, deadline.Token).GetAwaiter().GetResult();
            if (SocketCallLog.Current is { } log)
            {
                var shown = addresses.Select(a => port is { } p ? PsSocket.FormatEndPoint(new IPEndPoint(a, p)) : a.ToString());
                log.Add($"{call} -> {(addresses.Length == 0 ? "no address" : string.Join(", ", shown))} in {SocketCallLog.Took(started)}");
            }
            return addresses;
        }
        catch (Exception e) when (SocketCallLog.Current is { } log && log.Failed(call, started, e, deadline.Expired))
        {
            throw; // not reached: the filter only tells of the failure
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            throw new SocketOperationException(SocketFailure.OperationTimeout, $"Timed out after {Deadline.Describe(deadline.Timeout)} resolving '{name}'.", host);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw NotFound(name, host, e);
        }
    }

    /// <summary>The resolver's "no such name" (or a name it cannot take) as the HostNotFound failure.</summary>
    internal static SocketOperationException NotFound(string name, object target, Exception e) =>
        new(SocketFailure.HostNotFound, $"Cannot resolve host '{name}': {e.Message}{(e is SocketException ? "." : "")}", target, e);

    /// <summary>
    /// Asks the system resolver, except for names under .invalid, which RFC 6761 (6.4) says a resolver library
    /// answers "no such host" itself at once: glibc sends them to the DNS server like any other name.
    /// </summary>
    internal static Task<IPAddress[]> QueryAsync(string name, AddressFamily family, CancellationToken token) =>
        IsInvalidDomain(name)
            ? Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound))
            : Dns.GetHostAddressesAsync(name, family, token);

    private static bool IsInvalidDomain(string name)
    {
        string absolute = name.TrimEnd('.');
        return absolute.Equals("invalid", StringComparison.OrdinalIgnoreCase) || absolute.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>One address a name resolved to, with the port it was asked with: what getaddrinfo returns.</summary>
public sealed class ResolvedAddress
{
    internal ResolvedAddress(string hostName, IPAddress address, int port)
    {
        HostName = hostName;
        Address = address;
        Port = port;
        EndPoint = new IPEndPoint(address, port);
    }

    /// <summary>The name (or literal) as it was given.</summary>
    public string HostName { get; }

    public IPAddress Address { get; }

    public AddressFamily AddressFamily => Address.AddressFamily;

    public int Port { get; }

    /// <summary>Address and port, ready for Connect-Socket or a raw Socket.Connect.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>127.0.0.1:80, [::1]:80: the one form endpoints print in everywhere.</summary>
    public override string ToString() => PsSocket.FormatEndPoint(EndPoint);
}
