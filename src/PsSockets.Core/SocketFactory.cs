using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>What a socket is born with: a name, a default timeout, and socket options by their catalog names.</summary>
public sealed class SocketOptions
{
    private static readonly Dictionary<string, object?> s_none = [];

    public string? Name { get; init; }
    public double? Timeout { get; init; }

    /// <summary>Options of <see cref="SocketOptionCatalog"/> by name, values of each option's type; set before bind and connect.</summary>
    public IReadOnlyDictionary<string, object?> Named { get; init; } = s_none;

    /// <summary>The budget in bytes of the socket's trace, from birth (its connect included); 0: no trace.</summary>
    public long TraceLimit { get; init; }
}

/// <summary>socket(), bind(), listen() and connect(): where PsSockets come from.</summary>
public static partial class SocketFactory
{
    /// <summary>socket() and, when <paramref name="bindTo"/> is given, bind().</summary>
    public static PsSocket Create(AddressFamily family, SocketType type, IPEndPoint? bindTo, SocketOptions options)
    {
        if (family == AddressFamily.Unix && bindTo is not null)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument, $"Cannot bind a unix socket to {PsSocket.FormatEndPoint(bindTo)}: a unix socket binds to a path (-Path).", bindTo);
        }
        var socket = New(family, type);
        try
        {
            Configure(socket, options);
            if (family == AddressFamily.Unix && type == SocketType.Dgram)
            {
                AutoBind(socket);
            }
            if (bindTo is not null)
            {
                Bind(socket, bindTo);
            }
            return Wrap(socket, options);
        }
        catch
        {
            Discard(socket);
            throw;
        }
    }

    /// <summary>bind() and listen() on a new socket; port 0 takes an ephemeral port.</summary>
    public static PsSocket Listen(IPEndPoint localEndPoint, int backlog, SocketOptions options)
    {
        var socket = New(localEndPoint.AddressFamily, SocketType.Stream);
        try
        {
            Configure(socket, options);
            Bind(socket, localEndPoint);
            Listen(socket, backlog);
            var listener = Wrap(socket, options);
            listener.MarkListening();
            return listener;
        }
        catch (SocketException e)
        {
            Discard(socket);
            throw SocketOperationException.FromSocketError(e, $"listen on {PsSocket.FormatEndPoint(localEndPoint)}", localEndPoint);
        }
        catch
        {
            Discard(socket);
            throw;
        }
    }

    /// <summary>
    /// connect(): resolves <paramref name="host"/> and races its addresses (RFC 8305, see
    /// <see cref="HappyEyeballs"/>) until one accepts, all within one time limit. With
    /// <paramref name="existing"/>, that socket is connected (to the addresses of its family, one
    /// after the other, since one socket can make only one attempt at a time) instead of a new one.
    /// </summary>
    public static PsSocket Connect(string host, int port, PsSocket? existing, AddressFamily family, SocketOptions options,
        TimeSpan? timeout, CancellationToken token)
    {
        existing?.ThrowIfClosed();
        if (existing is { RemoteEndPoint: not null })
        {
            throw new SocketOperationException(SocketFailure.AlreadyConnected, $"Cannot connect {existing}: it is already connected.", existing);
        }
        if (existing is { IsListening: true })
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"Cannot connect {existing}: it is a listener, which accepts connections (Wait-SocketConnection) and cannot make one.", existing);
        }
        if (existing is { IsConnecting: true })
        {
            throw new SocketOperationException(SocketFailure.AlreadyConnected,
                $"Cannot connect {existing}: its connect is already under way (EALREADY); Select-Socket -Write reports it once done.", existing);
        }
        existing?.ThrowIfFailedOrConnecting("connect"); // a socket whose connect failed is done: close it and make another
        if (existing is not null)
        {
            SocketOptionCatalog.Apply(existing, options.Named);
        }
        // A non-blocking stream socket only starts its connect, as connect() does in C (EINPROGRESS); the
        // name is still resolved first, within the socket's time limit, as getaddrinfo() would be.
        bool startOnly = existing is { IsNonBlocking: true, IsDatagram: false } && timeout is null;
        using var deadline = Deadline.Start(timeout ?? existing?.EffectiveTimeout(null), token);
        var addresses = Resolve(host, port, existing?.AddressFamily ?? family, existing, deadline);
        var failures = new ConnectFailures();
        if (startOnly)
        {
            if (StartConnect(existing!, addresses, port, failures))
            {
                return existing!;
            }
        }
        else if (existing is not null)
        {
            if (ConnectOneByOne(existing, addresses, port, deadline, failures))
            {
                return existing;
            }
        }
        else
        {
            try
            {
                if (HappyEyeballs.Connect(addresses, port, s => Configure(s, options), deadline, failures, out var resetBy) is { } connected)
                {
                    var wrapped = Wrap(connected, options);
                    if (resetBy is not null)
                    {
                        wrapped.ResetRightAfterConnect(resetBy, SocketError.ConnectionReset);
                    }
                    return wrapped;
                }
            }
            catch (OperationCanceledException e) when (deadline.CallerStopped)
            {
                throw new OperationCanceledException("The connect was stopped.", e);
            }
        }
        string target = host.Contains(':') && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
        if (failures.Count == 0)
        {
            throw new SocketOperationException(SocketFailure.HostNotFound, $"Cannot connect to {target}: it has no address of family {existing?.AddressFamily ?? family}.", target);
        }
        var last = failures.Last;
        string tried = failures.Count == 1 && IPAddress.TryParse(host.Trim('[', ']'), out _) ? last.Message : failures.ToString();
        throw new SocketOperationException(SocketOperationException.Classify(last.SocketErrorCode),
            $"Cannot connect to {target}: {tried}.", failures.Count == 1 ? new IPEndPoint(addresses[0], port) : target, last);
    }

    /// <summary>Connects the caller's socket to each address in turn; false when every one failed.</summary>
    private static bool ConnectOneByOne(PsSocket existing, IPAddress[] addresses, int port, in Deadline deadline, ConnectFailures failures)
    {
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, port);
            long started = SocketCallLog.Start();
            string call = $"connect(#{existing.Id}, {PsSocket.FormatEndPoint(endPoint)})";
            try
            {
                var pending = existing.Socket.ConnectAsync(endPoint, deadline.Token);
                if (!pending.IsCompletedSuccessfully)
                {
                    pending.AsTask().GetAwaiter().GetResult();
                }
                existing.RefreshEndPoints();
                SocketCallLog.Current?.Add($"{call} ok in {SocketCallLog.Took(started)}");
                return true;
            }
            catch (Exception e) when (SocketCallLog.Current is { } log && log.Failed(call, started, e, deadline.Expired))
            {
                throw; // not reached: the filter only tells of the failure
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException { SocketErrorCode: SocketError.OperationAborted } && deadline.Expired)
            {
                throw new SocketOperationException(SocketFailure.OperationTimeout,
                    $"Timed out after {Deadline.Describe(deadline.Timeout)} connecting to {PsSocket.FormatEndPoint(endPoint)}{failures.BeforeThat()}.", endPoint);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException && deadline.CallerStopped)
            {
                throw new OperationCanceledException("The connect was stopped.", e);
            }
            catch (SocketException e)
            {
                failures.Add(endPoint, e);
            }
        }
        return false;
    }

    /// <summary>Starts a non-blocking connect to the first address that does not fail at once; false when every one did.</summary>
    private static bool StartConnect(PsSocket existing, IPAddress[] addresses, int port, ConnectFailures failures)
    {
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, port);
            string call = $"connect(#{existing.Id}, {PsSocket.FormatEndPoint(endPoint)})";
            try
            {
                existing.StartConnect(endPoint);
                SocketCallLog.Current?.Add($"{call} -> EINPROGRESS (non-blocking: it goes on without us)");
                return true;
            }
            catch (SocketException e)
            {
                SocketCallLog.Current?.Add($"{call} failed: {Errno.Name(e)}");
                failures.Add(endPoint, e);
            }
        }
        return false;
    }

    private static IPAddress[] Resolve(string host, int port, AddressFamily family, PsSocket? existing, in Deadline deadline)
    {
        var addresses = AddressResolver.Lookup(host, family, deadline, port);
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
    /// A datagram socket connect()ed to <paramref name="host"/>: the first address of the family the resolver
    /// gives. A datagram connect sends nothing, so there is nothing to race; it fixes the peer, so plain sends
    /// go there and only its datagrams arrive.
    /// </summary>
    public static PsSocket ConnectDatagram(string host, int port, AddressFamily family, SocketOptions options, TimeSpan? timeout, CancellationToken token)
    {
        using var deadline = Deadline.Start(timeout, token);
        var addresses = Resolve(host, port, family, existing: null, deadline);
        if (addresses.Length == 0)
        {
            throw new SocketOperationException(SocketFailure.HostNotFound, $"Cannot connect to {host}:{port}: it has no address of family {family}.", host);
        }
        var endPoint = new IPEndPoint(addresses[0], port);
        var socket = New(endPoint.AddressFamily, SocketType.Dgram);
        long started = SocketCallLog.Start();
        try
        {
            Configure(socket, options);
            socket.Connect(endPoint);
            if (SocketCallLog.Current is { } log)
            {
                log.Add($"connect({log.Of(socket)}, {PsSocket.FormatEndPoint(endPoint)}) ok in {SocketCallLog.Took(started)} (a datagram connect sends nothing: it fixes the peer)");
            }
            return Wrap(socket, options);
        }
        catch (SocketException e)
        {
            if (SocketCallLog.Current is { } log)
            {
                log.Add($"connect({log.Of(socket)}, {PsSocket.FormatEndPoint(endPoint)}) {SocketCallLog.Outcome(e, started)}");
            }
            Discard(socket);
            throw SocketOperationException.FromSocketError(e, $"connect to {PsSocket.FormatEndPoint(endPoint)}", endPoint);
        }
        catch
        {
            Discard(socket);
            throw;
        }
    }

    /// <summary>socket(), told of as "the new socket" until it has an id.</summary>
    private static Socket New(AddressFamily family, SocketType type)
    {
        var socket = new Socket(family, type, ProtocolOf(family, type));
        SocketCallLog.Current?.Born(socket, "the new socket");
        return socket;
    }

    /// <summary>close() of a socket that failed before it became a PsSocket.</summary>
    private static void Discard(Socket socket)
    {
        if (SocketCallLog.Current is { } log)
        {
            log.Add($"close({log.Of(socket)})");
        }
        socket.Dispose();
    }

    /// <summary>listen(); a failure is the caller's to report.</summary>
    private static void Listen(Socket socket, int backlog) => Told(socket, () => socket.Listen(backlog), name => $"listen({name}, {backlog})");

    /// <summary>
    /// One call on a socket that is not a PsSocket yet, told of to -Verbose as <paramref name="text"/> gives it for the socket's
    /// name, with <paramref name="result"/> when there is one, or with its failure (which goes on to the caller).
    /// </summary>
    private static void Told(Socket socket, Action call, Func<string, string> text, Func<string>? result = null)
    {
        if (SocketCallLog.Current is not { } log)
        {
            call();
            return;
        }
        long started = SocketCallLog.Start();
        try
        {
            call();
        }
        catch (Exception e) when (log.Failed(text(log.Of(socket)), started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
        log.Add(result is null ? text(log.Of(socket)) : $"{text(log.Of(socket))} -> {result()}");
    }

    private static ProtocolType ProtocolOf(AddressFamily family, SocketType type) =>
        family == AddressFamily.Unix ? ProtocolType.Unspecified : type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp;

    /// <summary>The options a bare socket takes, before bind or connect (an option that does not apply is an error).</summary>
    private static void Configure(Socket socket, SocketOptions options) => SocketOptionCatalog.Apply(socket, options.Named);

    /// <summary>The new socket as a PsSocket, with the options only a PsSocket holds (the per-direction timeouts).</summary>
    private static PsSocket Wrap(Socket socket, SocketOptions options)
    {
        if (options.Named.TryGetValue("Blocking", out var blocking) && blocking is bool mode)
        {
            socket.Blocking = mode; // a connect waits in blocking mode and ends in it: the option comes back
        }
        var wrapped = new PsSocket(socket, options.Name) { Timeout = options.Timeout };
        if (options.TraceLimit > 0)
        {
            wrapped.StartTraceAtBirth(options.TraceLimit);
        }
        var held = options.Named.Where(o => SocketOptionCatalog.Get(o.Key).NeedsPsSocket).ToDictionary(o => o.Key, o => o.Value);
        try
        {
            SocketOptionCatalog.Apply(wrapped, held);
        }
        catch
        {
            wrapped.Close();
            throw;
        }
        return wrapped;
    }

    private static void Bind(Socket socket, IPEndPoint endPoint)
    {
        try
        {
            Told(socket, () => socket.Bind(endPoint), name => $"bind({name}, {PsSocket.FormatEndPoint(endPoint)})", () => PsSocket.FormatEndPoint(socket.LocalEndPoint));
        }
        catch (SocketException e)
        {
            string doing = endPoint.Address.IsIPv4MappedToIPv6 && !socket.DualMode
                ? $"bind to {endPoint} (an IPv4-mapped address needs a dual-mode socket: -DualMode)"
                : $"bind to {PsSocket.FormatEndPoint(endPoint)}";
            throw SocketOperationException.FromSocketError(e, doing, endPoint);
        }
    }
}
