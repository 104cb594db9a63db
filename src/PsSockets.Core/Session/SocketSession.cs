using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace PsSockets;

/// <summary>
/// The socket side of an interactive session (Enter-SocketSession), with no terminal in it: looks for what arrived in
/// short waits, so the caller can watch the keyboard between looks on the same thread; decides text or hex dump;
/// sends typed lines (on an unconnected datagram socket, to the last sender); counts both ways.
/// </summary>
public sealed class SocketSession
{
    private const int ReceiveSize = 64 * 1024;

    // Once poll says readable, the receive itself gets this long: a TLS record may still be arriving in pieces.
    private static readonly TimeSpan s_finishReceive = TimeSpan.FromSeconds(5);

    private readonly Encoding _encoding;
    private readonly bool _hex;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Queue<SessionArrival> _ready = new();
    private byte[] _carry = [];

    public SocketSession(PsSocket socket, Encoding encoding, bool hex, string newLine)
    {
        Socket = socket;
        _encoding = encoding;
        _hex = hex;
        NewLine = newLine;
    }

    public PsSocket Socket { get; }

    /// <summary>What ends each typed line on the wire.</summary>
    public string NewLine { get; }

    public long BytesSent { get; private set; }

    public long BytesReceived { get; private set; }

    public long DatagramsSent { get; private set; }

    public long DatagramsReceived { get; private set; }

    public TimeSpan Duration => Stopwatch.GetElapsedTime(_started);

    /// <summary>Where a line goes: the connected peer, or on an unconnected datagram socket the last sender (null before any).</summary>
    public EndPoint? Peer => Socket.RemoteEndPoint ?? LastSender;

    /// <summary>The sender of the last datagram on an unconnected datagram socket.</summary>
    public EndPoint? LastSender { get; private set; }

    /// <summary>
    /// What arrived within <paramref name="wait"/>, or null when nothing did. Closed once the peer closed the stream
    /// (bytes of a character cut by the close come first, as binary). A stop of <paramref name="token"/> throws.
    /// </summary>
    public SessionArrival? Next(TimeSpan wait, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        if (_ready.Count > 0)
        {
            return _ready.Dequeue();
        }
        if (!Socket.HasReadableBuffer && !Readable(wait))
        {
            return null;
        }
        token.ThrowIfCancellationRequested();
        return Socket.IsDatagram ? NextDatagram(token) : NextChunk(token);
    }

    private bool Readable(TimeSpan wait)
    {
        try
        {
            return Socket.Socket.Poll((int)Math.Max(0, wait.TotalMicroseconds), SelectMode.SelectRead)
                || (Socket.IsDatagram && Socket.Socket.Poll(0, SelectMode.SelectError));
        }
        catch (ObjectDisposedException)
        {
            throw new SocketOperationException(SocketFailure.SocketClosed, $"{Socket} was closed during the session.", Socket);
        }
    }

    private SessionArrival NextChunk(CancellationToken token)
    {
        byte[] chunk;
        try
        {
            chunk = Socket.ReceiveAvailable(ReceiveSize, peek: false, s_finishReceive, token);
        }
        catch (SocketOperationException e) when (e.Failure == SocketFailure.PeerClosed)
        {
            if (_carry.Length > 0)
            {
                var cut = new SessionArrival(SessionArrivalKind.Binary, _carry, string.Empty, null);
                _carry = [];
                return cut;
            }
            return new SessionArrival(SessionArrivalKind.Closed, [], string.Empty, null);
        }
        catch (SocketOperationException e) when (e.Failure is SocketFailure.OperationTimeout or SocketFailure.WouldBlock)
        {
            return new SessionArrival(SessionArrivalKind.Text, [], string.Empty, null); // a TLS record still coming: nothing yet
        }
        BytesReceived += chunk.Length;
        byte[] bytes = _carry.Length == 0 ? chunk : [.. _carry, .. chunk];
        _carry = [];
        foreach (var arrival in Split(bytes))
        {
            _ready.Enqueue(arrival);
        }
        return _ready.Count > 0 ? _ready.Dequeue() : new SessionArrival(SessionArrivalKind.Text, [], string.Empty, null);
    }

    /// <summary>
    /// What arrived, line by line as text or binary, runs of a kind together: a reply and binary that follow it in one
    /// read are a line of text and a hex dump, not one dump. A character cut at the end waits for the next read.
    /// </summary>
    private List<SessionArrival> Split(byte[] bytes)
    {
        var arrivals = new List<SessionArrival>();
        if (_hex)
        {
            arrivals.Add(new SessionArrival(SessionArrivalKind.Binary, bytes, string.Empty, null));
            return arrivals;
        }
        int runStart = 0;
        bool? runBinary = null;
        int start = 0;
        while (start < bytes.Length)
        {
            int newLine = Array.IndexOf(bytes, (byte)'\n', start);
            int end = newLine < 0 ? bytes.Length : newLine + 1;
            if (newLine < 0)
            {
                int whole = start + Utf8Boundary.CompletePrefixLength(_encoding, bytes.AsSpan(start));
                if (whole < end && !SessionText.IsBinary(bytes.AsSpan(start, whole - start), _encoding))
                {
                    _carry = bytes[whole..];
                    end = whole;
                }
            }
            bool binary = SessionText.IsBinary(bytes.AsSpan(start, end - start), _encoding);
            if (runBinary is { } kind && kind != binary)
            {
                arrivals.Add(Run(bytes[runStart..start], kind));
                runStart = start;
            }
            runBinary = binary;
            start = end;
            if (_carry.Length > 0)
            {
                break;
            }
        }
        if (runBinary is { } last && start > runStart)
        {
            arrivals.Add(Run(bytes[runStart..start], last));
        }
        return arrivals;
    }

    private SessionArrival Run(byte[] bytes, bool binary) => binary
        ? new SessionArrival(SessionArrivalKind.Binary, bytes, string.Empty, null)
        : new SessionArrival(SessionArrivalKind.Text, bytes, _encoding.GetString(bytes), null);

    private SessionArrival NextDatagram(CancellationToken token)
    {
        Datagram datagram;
        try
        {
            datagram = Socket.ReceiveDatagram(null, peek: false, s_finishReceive, token, _encoding);
        }
        catch (SocketOperationException e) when (e.Failure != SocketFailure.SocketClosed)
        {
            return new SessionArrival(SessionArrivalKind.Notice, [], e.Message, null);
        }
        BytesReceived += datagram.Length;
        DatagramsReceived++;
        if (Socket.RemoteEndPoint is null)
        {
            LastSender = datagram.RemoteEndPoint;
        }
        var kind = _hex || SessionText.IsBinary(datagram.Data, _encoding) ? SessionArrivalKind.Binary : SessionArrivalKind.Text;
        return new SessionArrival(kind, datagram.Data, kind == SessionArrivalKind.Text ? datagram.Text : string.Empty, datagram.RemoteEndPoint);
    }

    /// <summary>Sends one typed line and the session's newline: all of it on a stream, one datagram on a datagram socket.</summary>
    public void SendLine(string line, TimeSpan? timeout, CancellationToken token) =>
        Send(SessionText.Line(line, NewLine, _encoding), timeout, token);

    /// <summary>Sends bytes as they are: all of them on a stream, one datagram (to <see cref="Peer"/>) on a datagram socket.</summary>
    public void Send(byte[] data, TimeSpan? timeout, CancellationToken token)
    {
        if (Socket.IsDatagram)
        {
            if (Socket.RemoteEndPoint is null && LastSender is null)
            {
                throw new SocketOperationException(SocketFailure.NotConnected,
                    $"Nothing was sent: {Socket} is not connected and no datagram has arrived yet, so there is no one to answer. "
                    + "Wait for a peer's datagram (the session answers its sender), or connect the socket (Connect-Socket -Socket).", Socket);
            }
            Socket.SendDatagram(data, Socket.RemoteEndPoint is null ? LastSender : null, timeout, token);
            DatagramsSent++;
        }
        else
        {
            Socket.Send(data, timeout, token);
        }
        BytesSent += data.Length;
    }

    /// <summary>The summary of the session so far, <paramref name="ending"/> saying how it ended.</summary>
    public SocketSessionSummary Summary(string ending) => new(this, ending);
}
