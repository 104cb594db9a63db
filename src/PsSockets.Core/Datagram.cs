using System;
using System.Net;
using System.Text;

namespace PsSockets;

/// <summary>One datagram that arrived (recvfrom): its bytes and who sent it.</summary>
public sealed class Datagram
{
    private readonly Encoding _encoding;
    private string? _text;

    internal Datagram(byte[] data, EndPoint? remoteEndPoint, int sentLength, bool truncated, PsSocket socket, Encoding encoding)
    {
        Data = data;
        RemoteEndPoint = remoteEndPoint;
        SentLength = sentLength;
        Truncated = truncated;
        SocketId = socket.Id;
        _encoding = encoding;
        Received = DateTime.Now;
    }

    /// <summary>The bytes, exactly as they arrived.</summary>
    public byte[] Data { get; }

    /// <summary>The data decoded as text (UTF-8 unless another -Encoding was asked; invalid bytes become U+FFFD).</summary>
    public string Text => _text ??= _encoding.GetString(Data);

    public int Length => Data.Length;

    /// <summary>The sender (recvfrom's address): give it to Send-SocketData -To to answer.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>True when the datagram was longer than the receive buffer and only its first bytes are in <see cref="Data"/>.</summary>
    public bool Truncated { get; }

    /// <summary>How long the datagram was as sent: <see cref="Length"/>, or more when it was truncated (where the OS tells).</summary>
    public int SentLength { get; }

    /// <summary>The Id of the socket that received it.</summary>
    public int SocketId { get; }

    public DateTime Received { get; }

    public override string ToString() => Text;
}
