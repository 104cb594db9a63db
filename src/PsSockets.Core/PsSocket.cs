using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>
/// A socket of the session: the OS socket plus what a script needs around it — an id and a name,
/// counters, a default timeout, and the buffer that keeps bytes read past a message boundary.
/// One receive or one send at a time per direction; sending and receiving may overlap.
/// </summary>
public sealed partial class PsSocket : IDisposable, ISessionObject
{
    /// <summary>The default limit for one framed message (a line, -ToEnd): a hostile peer never makes us allocate more.</summary>
    public const int DefaultMaxMessageSize = 64 * 1024 * 1024;

    private static int s_lastId;
    private readonly ReceiveBuffer _buffer = new();
    private long _bytesSent;
    private long _bytesReceived;
    private bool _sendShutdown;
    private bool _receiveShutdown;
    private bool _peerClosed;
    private bool _listening;
    private int _closed;

    internal PsSocket(Socket socket, string? name)
    {
        Socket = socket;
        Id = Interlocked.Increment(ref s_lastId);
        Name = name;
        _createdUtc = DateTime.UtcNow;
        RefreshEndPoints();
        SocketCallLog.Current?.Identify(this);
    }

    /// <summary>The session-wide number of this socket, as Get-Socket and tab completion show it.</summary>
    public int Id { get; }

    public string? Name { get; set; }

    /// <summary>The OS socket, for experts: every option and call of System.Net.Sockets.Socket.</summary>
    public Socket Socket { get; }

    /// <summary>When the socket was made, local time (kept in UTC: DateTime.Now costs a time zone lookup per socket).</summary>
    public DateTime Created => _createdUtc.ToLocalTime();
    private readonly DateTime _createdUtc;

    public string Protocol => Socket.ProtocolType switch
    {
        ProtocolType.Tcp => "Tcp",
        ProtocolType.Udp => "Udp",
        _ when Socket.AddressFamily == AddressFamily.Unix => Socket.SocketType == SocketType.Dgram ? "UnixDgram" : "Unix",
        _ => Socket.ProtocolType.ToString(),
    };

    public AddressFamily AddressFamily => Socket.AddressFamily;

    public EndPoint? LocalEndPoint { get; private set; }

    public EndPoint? RemoteEndPoint { get; private set; }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes received from the OS and kept for the next receive (read past a message boundary, or peeked).</summary>
    public int BytesBuffered => _buffer.Count;

    /// <summary>The default time limit, in seconds, of every blocking call on this socket; null waits until done or stopped.</summary>
    public double? Timeout
    {
        get => _timeout;
        set => _timeout = value is { } v && (double.IsNaN(v) || v < 0)
            ? throw new ArgumentOutOfRangeException(nameof(value), "A timeout is a number of seconds, 0 or more.")
            : value;
    }
    private double? _timeout;

    public int MaxMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>What Send-SocketData -Line appends: "\n" by default, "\r\n" for SMTP/HTTP-style protocols.</summary>
    public string NewLine
    {
        get => _newLine;
        set => _newLine = string.IsNullOrEmpty(value) ? throw new ArgumentException("A NewLine has at least one character.", nameof(value)) : value;
    }
    private string _newLine = "\n";

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public bool IsListening => _listening;

    /// <summary>True once a receive saw the peer's end of stream (recv returned 0).</summary>
    public bool PeerClosed => _peerClosed;

    /// <summary>Where the socket is in its life; reading it finishes a non-blocking connect that the OS has done with.</summary>
    public SocketState State =>
        IsClosed ? SocketState.Closed
        : _failed ? SocketState.Failed
        : _listening ? SocketState.Listening
        : !RefreshConnect() ? SocketState.Connecting
        : _failed ? SocketState.Failed
        : RemoteEndPoint is null ? (LocalEndPoint is null ? SocketState.Open : SocketState.Bound)
        : (_sendShutdown, _receiveShutdown || _peerClosed) switch
        {
            (true, true) => SocketState.Shutdown,
            (true, false) => SocketState.SendShutdown,
            (false, true) => SocketState.ReceiveShutdown,
            _ => SocketState.Connected,
        };

    /// <summary>Raised once, when the socket is closed (the registry forgets it then).</summary>
    public event EventHandler? Closed;

    /// <summary>The timeout a call uses: its own when given, else the socket's default.</summary>
    public TimeSpan? EffectiveTimeout(TimeSpan? callTimeout) =>
        callTimeout ?? (_timeout is { } s ? TimeSpan.FromSeconds(s) : null);

    /// <summary>shutdown(): ends one or both directions; the socket stays open for the other.</summary>
    /// <remarks>On a TLS socket, ending the send direction sends close_notify first (within the socket's send time limit, or 5 s).</remarks>
    public void Shutdown(SocketShutdown direction, CancellationToken token = default)
    {
        ThrowIfClosed();
        if (RemoteEndPoint is null)
        {
            throw new SocketOperationException(SocketFailure.NotConnected, $"Cannot shut down {this}: it is not connected.", this);
        }
        if (_tls is not null && direction != SocketShutdown.Receive && !_sendShutdown && !_failed)
        {
            var limit = EffectiveSendTimeout(null) ?? TimeSpan.FromSeconds(5);
            using var turn = TakeSendTurn(limit, token);
            using var deadline = Deadline.Start(limit, token);
            SendCloseNotify(deadline);
        }
        string call = $"shutdown(#{Id}, {direction switch { SocketShutdown.Send => "SHUT_WR", SocketShutdown.Receive => "SHUT_RD", _ => "SHUT_RDWR" }})";
        long started = SocketCallLog.Start();
        try
        {
            Socket.Shutdown(direction);
            SocketCallLog.Current?.Add(call);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.NotConnected)
        {
            // The peer already reset the connection: there is nothing left to shut down.
            SocketCallLog.Current?.Add($"{call} failed: ENOTCONN (the peer reset the connection: nothing left to shut down)");
        }
        catch (SocketException e)
        {
            SocketCallLog.Current?.Failed(call, started, e);
            throw SocketOperationException.FromSocketError(e, $"shut down {this}", this);
        }
        _sendShutdown |= direction != SocketShutdown.Receive;
        _receiveShutdown |= direction != SocketShutdown.Send;
        TraceEvent(SocketTraceEvent.Shutdown, detail: ShutdownName(direction));
    }

    /// <summary>close(): graceful by default (queued data is still delivered); <paramref name="abort"/> resets the connection (RST).</summary>
    public void Close(bool abort = false)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        TraceEvent(SocketTraceEvent.Close, detail: abort ? "abort: SO_LINGER 0, the peer sees a reset" : null);
        if (!abort)
        {
            CloseTlsGracefully();
        }
        try
        {
            if (abort && Socket.ProtocolType == ProtocolType.Tcp && RemoteEndPoint is not null)
            {
                SocketCallLog.Current?.Add($"setsockopt(#{Id}, SOL_SOCKET, SO_LINGER, {{l_onoff=1, l_linger=0}}) (close resets the connection: RST)");
                Socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (SocketException)
        {
            // Setting linger on a socket the peer already reset fails; closing still works.
        }
        SocketCallLog.Current?.Add($"close(#{Id})");
        Socket.Dispose(); // a unix listener's socket file goes with it: .NET deletes the file a socket bound
        DisposeTls();
        Closed?.Invoke(this, EventArgs.Empty);
    }

    public void Dispose() => Close();

    public override string ToString()
    {
        string id = Name is null ? $"socket {Id}" : $"socket {Id} '{Name}'";
        string where = RemoteEndPoint is null
            ? FormatEndPoint(LocalEndPoint)
            : $"{FormatEndPoint(LocalEndPoint)} -> {DescribeRemote()}";
        return $"{id} ({Protocol} {where})";
    }

    /// <summary>One form for every endpoint: 127.0.0.1:80, [::1]:80, unix:/path (unix:@name for a Linux abstract name).</summary>
    public static string FormatEndPoint(EndPoint? endPoint) => endPoint switch
    {
        null => "-",
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } mapped => new IPEndPoint(mapped.Address.MapToIPv4(), mapped.Port).ToString(), // an IPv4 peer of a dual-mode socket
        IPEndPoint ip => ip.ToString(),
        UnixDomainSocketEndPoint unix => unix.ToString() is { Length: > 0 } path ? UnixSocketPath.Display(path) : "unix:(unnamed)",
        _ => endPoint.ToString() ?? "-",
    };

    internal void MarkListening()
    {
        _listening = true;
        RefreshEndPoints();
    }

    internal void RefreshEndPoints()
    {
        try
        {
            bool wasConnected = RemoteEndPoint is not null;
            LocalEndPoint = Socket.LocalEndPoint;
            RemoteEndPoint = Socket.Connected ? Socket.RemoteEndPoint : null;
            if (!wasConnected && RemoteEndPoint is not null)
            {
                TraceEvent(SocketTraceEvent.Connect);
            }
        }
        catch (SocketException)
        {
            // A socket reset before we asked has no peer name; keep what we knew.
        }
    }

    internal void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw new SocketOperationException(SocketFailure.SocketClosed, $"Cannot use {this}: it is closed.", this);
        }
    }

    private SocketOperationException TimedOut(string doing, TimeSpan? timeout) =>
        new(SocketFailure.OperationTimeout,
            $"Timed out after {Deadline.Describe(timeout)} waiting to {doing} {this}.", this);

    /// <summary>Turns what an awaited socket call threw into a SocketOperationException, or rethrows a caller's stop.</summary>
    private SocketOperationException Translate(Exception e, in Deadline deadline, string doing)
    {
        if (deadline.CallerStopped)
        {
            throw new OperationCanceledException("The operation was stopped.", e);
        }
        if (e is System.IO.IOException { InnerException: OperationCanceledException or SocketException or ObjectDisposedException } wrapped)
        {
            e = wrapped.InnerException!; // what the socket said under TLS
        }
        return e switch
        {
            OperationCanceledException when deadline.Expired => deadline.NonBlocking ? WouldBlock(doing) : TimedOut(doing, deadline.Timeout),
            SocketException { SocketErrorCode: SocketError.OperationAborted } when deadline.Expired => deadline.NonBlocking ? WouldBlock(doing) : TimedOut(doing, deadline.Timeout),
            ObjectDisposedException => new SocketOperationException(SocketFailure.SocketClosed, $"Cannot {doing} {this}: it was closed.", this),
            SocketException { SocketErrorCode: SocketError.OperationAborted } when IsClosed =>
                new SocketOperationException(SocketFailure.SocketClosed, $"Cannot {doing} {this}: it was closed.", this),
            SocketException se => OsFailure(se, doing),
            System.IO.IOException or System.Security.Authentication.AuthenticationException =>
                new SocketOperationException(SocketFailure.TlsFailed, $"Cannot {doing} {this}: its TLS session failed: {TlsFailureText.Of(e)}", this, e),
            _ => throw e.Rethrow(),
        };
    }
}
