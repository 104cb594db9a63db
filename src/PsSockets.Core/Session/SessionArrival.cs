using System.Net;

namespace PsSockets;

/// <summary>What one look at a session's socket found.</summary>
public enum SessionArrivalKind
{
    /// <summary>Text to print as it is.</summary>
    Text,

    /// <summary>Bytes that are not text (invalid UTF-8, control bytes other than \r \n \t), or -Hex asked: shown as a hex dump.</summary>
    Binary,

    /// <summary>The peer closed the stream: the session ends.</summary>
    Closed,

    /// <summary>A datagram socket's error (an ICMP port unreachable): told, and the session goes on.</summary>
    Notice,
}

/// <summary>
/// Bytes that arrived in a session, already decided as text or hex dump; <see cref="From"/> names a datagram's sender.
/// </summary>
public sealed class SessionArrival
{
    internal SessionArrival(SessionArrivalKind kind, byte[] data, string text, EndPoint? from)
    {
        Kind = kind;
        Data = data;
        Text = text;
        From = from;
    }

    public SessionArrivalKind Kind { get; }

    /// <summary>The bytes as they arrived.</summary>
    public byte[] Data { get; }

    /// <summary>The decoded text (Text), the notice's message (Notice), or empty.</summary>
    public string Text { get; }

    /// <summary>A datagram's sender; null on a stream.</summary>
    public EndPoint? From { get; }

    /// <summary>The lines to show or return: the text split at its newlines (\r\n or \n), or the hex dump's lines.</summary>
    public string[] Lines() => Kind switch
    {
        SessionArrivalKind.Binary => HexDump.Lines(Data),
        _ => SessionText.SplitLines(Text),
    };
}
