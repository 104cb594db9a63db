using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>Options a socket can be born with.</summary>
public sealed class SocketOptions
{
    public string? Name { get; init; }
    public double? Timeout { get; init; }
    public bool NoDelay { get; init; }
    public bool ReuseAddress { get; init; }
    public bool? DualMode { get; init; }
}

/// <summary>socket(), bind(), listen() and connect(): where PsSockets come from.</summary>
public static class SocketFactory
{
    /// <summary>socket() and, when <paramref name="bindTo"/> is given, bind().</summary>
    public static PsSocket Create(AddressFamily family, SocketType type, IPEndPoint? bindTo, SocketOptions options)
    {
        var protocol = type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp;
        var socket = new Socket(family, type, protocol);
        try
        {
            Configure(socket, options);
            if (bindTo is not null)
            {
                Bind(socket, bindTo);
            }
            return new PsSocket(socket, options.Name) { Timeout = options.Timeout };
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>bind() and listen() on a new socket; port 0 takes an ephemeral port.</summary>
    public static PsSocket Listen(IPEndPoint localEndPoint, int backlog, SocketOptions options)
    {
        var socket = new Socket(localEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            Configure(socket, options);
            Bind(socket, localEndPoint);
            socket.Listen(backlog);
            var listener = new PsSocket(socket, options.Name) { Timeout = options.Timeout };
            listener.MarkListening();
            return listener;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw SocketOperationException.FromSocketError(e, $"listen on {PsSocket.FormatEndPoint(localEndPoint)}", localEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// connect(): resolves <paramref name="host"/> and tries every address in the resolver's order
    /// until one accepts, all within one time limit. With <paramref name="existing"/>, that socket
    /// is connected (to the addresses of its family) instead of a new one.
    /// </summary>
    public static PsSocket Connect(string host, int port, PsSocket? existing, AddressFamily family, SocketOptions options,
        TimeSpan? timeout, CancellationToken token)
    {
        existing?.ThrowIfClosed();
        if (existing is { RemoteEndPoint: not null })
        {
            throw new SocketOperationException(SocketFailure.AlreadyConnected, $"Cannot connect {existing}: it is already connected.", existing);
        }
        using var deadline = Deadline.Start(timeout ?? existing?.EffectiveTimeout(null), token);
        var addresses = Resolve(host, existing?.AddressFamily ?? family, existing, deadline);
        var failures = new List<string>();
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, port);
            var socket = existing?.Socket ?? new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (existing is null)
                {
                    Configure(socket, options);
                    ConnectPolled(socket, endPoint, deadline);
                    return new PsSocket(socket, options.Name) { Timeout = options.Timeout };
                }
                var pending = socket.ConnectAsync(endPoint, deadline.Token);
                if (!pending.IsCompletedSuccessfully)
                {
                    pending.AsTask().GetAwaiter().GetResult();
                }
                existing.RefreshEndPoints();
                return existing;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException { SocketErrorCode: SocketError.OperationAborted } && deadline.Expired)
            {
                DisposeUnlessExisting(socket, existing);
                throw new SocketOperationException(SocketFailure.OperationTimeout,
                    $"Timed out after {Deadline.Describe(deadline.Timeout)} connecting to {PsSocket.FormatEndPoint(endPoint)}{Also(failures)}.", endPoint);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException && deadline.CallerStopped)
            {
                DisposeUnlessExisting(socket, existing);
                throw new OperationCanceledException("The connect was stopped.", e);
            }
            catch (SocketException e)
            {
                DisposeUnlessExisting(socket, existing);
                last = e;
                failures.Add($"{PsSocket.FormatEndPoint(endPoint)}: {e.Message}");
            }
        }
        string target = host.Contains(':') && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
        if (last is null)
        {
            throw new SocketOperationException(SocketFailure.HostNotFound, $"Cannot connect to {target}: it has no address of family {existing?.AddressFamily ?? family}.", target);
        }
        string tried = failures.Count == 1 && IPAddress.TryParse(host.Trim('[', ']'), out _) ? last.Message : string.Join("; ", failures);
        throw new SocketOperationException(SocketOperationException.Classify(last.SocketErrorCode),
            $"Cannot connect to {target}: {tried}.", failures.Count == 1 ? new IPEndPoint(addresses[0], port) : target, last);
    }

    /// <summary>getaddrinfo(): the addresses of a host (a literal address resolves to itself).</summary>
    public static IPAddress[] Resolve(string host, AddressFamily family, TimeSpan? timeout, CancellationToken token)
    {
        using var deadline = Deadline.Start(timeout, token);
        return Resolve(host, family, null, deadline);
    }

    private static IPAddress[] Resolve(string host, AddressFamily family, PsSocket? existing, in Deadline deadline)
    {
        var addresses = AddressResolver.Lookup(host, family, deadline);
        if (existing is not null)
        {
            bool dual = existing.AddressFamily == AddressFamily.InterNetworkV6 && existing.Socket.DualMode;
            addresses = addresses.Where(a => a.AddressFamily == existing.AddressFamily || dual).ToArray();
        }
        else if (family != AddressFamily.Unspecified)
        {
            addresses = addresses.Where(a => a.AddressFamily == family).ToArray();
        }
        return addresses;
    }

    /// <summary>
    /// connect() on a socket of our own: non-blocking, then poll(2) in slices until the handshake is
    /// done, the deadline passes or the caller stops. On loopback the handshake is over before
    /// connect() returns, so this saves ConnectAsync's trip through the epoll thread and the thread
    /// pool (about half of what a connect costs). Only for sockets we throw away when the connect
    /// fails: after a failed non-blocking connect, .NET's Socket wrongly says it is connected.
    /// </summary>
    private static void ConnectPolled(Socket socket, IPEndPoint endPoint, in Deadline deadline)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            // Windows reports a failed connect as an error condition, never as writable.
            while (!socket.Poll(deadline.SliceMicroseconds(PsSocket.PollSliceMicroseconds), SelectMode.SelectWrite) && !socket.Poll(0, SelectMode.SelectError))
            {
                deadline.ThrowIfOver();
            }
            var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
        }
        socket.Blocking = true;
    }

    private static void DisposeUnlessExisting(Socket socket, PsSocket? existing)
    {
        if (existing is null)
        {
            socket.Dispose();
        }
    }

    private static string Also(List<string> failures) =>
        failures.Count == 0 ? string.Empty : $" (before that: {string.Join("; ", failures)})";

    private static void Configure(Socket socket, SocketOptions options)
    {
        if (options.ReuseAddress)
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }
        if (options.NoDelay && socket.ProtocolType == ProtocolType.Tcp)
        {
            socket.NoDelay = true;
        }
        if (options.DualMode is { } dual && socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = dual;
        }
    }

    private static void Bind(Socket socket, IPEndPoint endPoint)
    {
        try
        {
            socket.Bind(endPoint);
        }
        catch (SocketException e)
        {
            throw SocketOperationException.FromSocketError(e, $"bind to {PsSocket.FormatEndPoint(endPoint)}", endPoint);
        }
    }
}
