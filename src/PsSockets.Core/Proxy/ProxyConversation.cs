using System;
using System.Diagnostics;
using System.Threading;

namespace PsSockets;

/// <summary>
/// One negotiation with a proxy over a socket connected to it: every send and receive goes through the socket's
/// own calls (so Ctrl+C and the receive buffer work as everywhere) within what is left of the one time limit,
/// and every failure names the proxy, the target and the step.
/// </summary>
internal sealed class ProxyConversation(PsSocket socket, ProxyAddress proxy, string targetHost, int targetPort,
    TimeSpan? timeout, long started, CancellationToken token)
{
    // With no time limit every step still gets one, so a socket made non-blocking waits as well; Ctrl+C ends it.
    private static readonly TimeSpan s_noLimit = TimeSpan.FromDays(20);

    public PsSocket Socket => socket;

    public ProxyAddress Proxy => proxy;

    /// <summary>host:port as the proxy is asked for it, with brackets around an IPv6 address.</summary>
    public string Target { get; } = new EndPointText(targetHost, targetPort, null).ToString();

    public void Send(byte[] message, string what)
    {
        try
        {
            socket.Send(message, Left(), token);
        }
        catch (SocketOperationException e)
        {
            throw e.Failure == SocketFailure.OperationTimeout
                ? Failed(SocketFailure.OperationTimeout, $"timed out after {Deadline.Describe(timeout)} sending {what}", e)
                : Failed(e.Failure, $"sending {what} failed: {e.Message.TrimEnd('.')}", e);
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes; what arrives past them stays buffered on the socket.</summary>
    public byte[] Receive(int count, string what) => Receive(new CountFraming(count), what, maxSize: null);

    /// <summary>One message as <paramref name="framing"/> finds it, at most <paramref name="maxSize"/> bytes; what follows stays buffered.</summary>
    public byte[] Receive(Framing framing, string what, int? maxSize)
    {
        try
        {
            return socket.Receive(framing, peek: false, Left(), token, PsSocket.AsBytes, maxSize);
        }
        catch (SocketOperationException e)
        {
            throw e.Failure switch
            {
                SocketFailure.OperationTimeout => Failed(SocketFailure.OperationTimeout, $"timed out after {Deadline.Describe(timeout)} waiting for {what}", e),
                SocketFailure.MessageTooLarge => Failed(SocketFailure.ProxyProtocolError, $"{what} goes on past {maxSize} bytes without ending", e),
                SocketFailure.PeerClosed when socket.BytesBuffered > 0 =>
                    Failed(SocketFailure.ProxyProtocolError, $"instead of {what} it sent {Preview()}, then closed the connection", e),
                SocketFailure.PeerClosed => Failed(SocketFailure.ProxyFailed, $"it closed the connection instead of sending {what}", e),
                _ => Failed(e.Failure, $"{e.Message.TrimEnd('.')}, waiting for {what}", e),
            };
        }
    }

    /// <summary>A failure of this negotiation: "Cannot connect to {target} via {proxy}: {why}."</summary>
    public SocketOperationException Failed(SocketFailure failure, string why, Exception? inner = null) =>
        new(failure, $"Cannot connect to {Target} via {proxy.Describe()}: {why}.", $"{Target} via {proxy}", inner);

    /// <summary>Bytes from the proxy as a message may show them: printable ASCII as is, anything else as '.', at most 60.</summary>
    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new System.Text.StringBuilder(Math.Min(bytes.Length, 60) + 3);
        foreach (byte b in bytes[..Math.Min(bytes.Length, 60)])
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }
        return bytes.Length > 60 ? text.Append("...").ToString() : text.ToString();
    }

    private string Preview()
    {
        var bytes = socket.ReceiveAvailable(60, peek: true, TimeSpan.Zero, CancellationToken.None);
        return $"{socket.BytesBuffered} byte{(socket.BytesBuffered == 1 ? "" : "s")} ('{Printable(bytes)}')";
    }

    private TimeSpan Left() => timeout is { } t ? TimeSpan.FromTicks(Math.Max(0, (t - Stopwatch.GetElapsedTime(started)).Ticks)) : s_noLimit;
}
