using System;
using System.Globalization;

namespace PsSockets;

/// <summary>How a session went: bytes (and datagrams) each way, how long, how it ended.</summary>
public sealed class SocketSessionSummary
{
    internal SocketSessionSummary(SocketSession session, string ending)
    {
        SocketId = session.Socket.Id;
        IsDatagram = session.Socket.IsDatagram;
        BytesSent = session.BytesSent;
        BytesReceived = session.BytesReceived;
        DatagramsSent = session.DatagramsSent;
        DatagramsReceived = session.DatagramsReceived;
        Duration = session.Duration;
        Ending = ending;
    }

    public int SocketId { get; }

    public bool IsDatagram { get; }

    public long BytesSent { get; }

    public long BytesReceived { get; }

    public long DatagramsSent { get; }

    public long DatagramsReceived { get; }

    public TimeSpan Duration { get; }

    /// <summary>How the session ended, e.g. "the peer closed the connection".</summary>
    public string Ending { get; }

    /// <summary>One line: "Session on #3 ended (the peer closed the connection): sent 12 bytes, received 40 bytes in 3.2 s."</summary>
    public override string ToString()
    {
        string sent = Count(BytesSent, "byte") + (IsDatagram ? $" in {Count(DatagramsSent, "datagram")}" : "");
        string received = Count(BytesReceived, "byte") + (IsDatagram ? $" in {Count(DatagramsReceived, "datagram")}" : "");
        string took = Duration.TotalSeconds.ToString(Duration.TotalSeconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);
        return $"Session on #{SocketId} ended ({Ending}): sent {sent}, received {received} in {took} s.";
    }

    private static string Count(long n, string unit) => $"{n.ToString(CultureInfo.InvariantCulture)} {unit}{(n == 1 ? "" : "s")}";
}
