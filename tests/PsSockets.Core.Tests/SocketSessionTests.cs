using System;
using System.Linq;
using System.Text;
using System.Threading;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>The session's decisions without a terminal: text or hex dump, line by line; what the screen is sent for each event.</summary>
public sealed class SocketSessionTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(new byte[] { 0x68, 0x69, 0x0d, 0x0a, 0x09 }, false)] // hi\r\n\t
    [InlineData(new byte[] { 0xc3, 0xa9 }, false)] // é
    [InlineData(new byte[] { 0x00 }, true)]
    [InlineData(new byte[] { 0x1b, 0x5b, 0x32, 0x4a }, true)] // an escape sequence would rewrite the screen
    [InlineData(new byte[] { 0xff, 0x41 }, true)] // not UTF-8
    [InlineData(new byte[] { 0xc2, 0x9b }, true)] // C1 CSI
    public void BinaryIsInvalidUtf8OrAControlByteOtherThanCrLfTab(byte[] data, bool binary) =>
        Assert.Equal(binary, SessionText.IsBinary(data, PsSocket.DefaultEncoding));

    [Fact]
    public void OneReadWithAReplyThenBinaryThenTextIsThreeArrivalsAndACutCharacterWaitsForItsEnd()
    {
        var (ours, peer) = SocketPair.Create(SocketPairTransport.Tcp, null, null);
        using var _ = ours;
        using var __ = peer;
        var session = new SocketSession(ours, PsSocket.DefaultEncoding, hex: false, newLine: "\r\n");

        peer.Send(Encoding.UTF8.GetBytes("you said: hi\n").Concat(new byte[] { 0x00, 0xff, (byte)'\n', (byte)'c', (byte)'a', (byte)'f', 0xc3 }).ToArray(), s_wait, CancellationToken.None);
        var first = Next(session);
        var second = Next(session);
        var third = Next(session);
        peer.Send(new byte[] { 0xa9, (byte)'\n' }, s_wait, CancellationToken.None);
        var fourth = Next(session);

        Assert.Equal((SessionArrivalKind.Text, "you said: hi\n"), (first.Kind, first.Text));
        Assert.Equal(SessionArrivalKind.Binary, second.Kind);
        Assert.Equal(new byte[] { 0x00, 0xff, (byte)'\n' }, second.Data);
        Assert.Equal((SessionArrivalKind.Text, "caf"), (third.Kind, third.Text));
        Assert.Equal((SessionArrivalKind.Text, "é\n"), (fourth.Kind, fourth.Text));
        Assert.Equal(22, session.BytesReceived);

        session.SendLine("PING", s_wait, CancellationToken.None);
        Assert.Equal("PING\r\n", Encoding.UTF8.GetString(peer.ReceiveAvailable(100, false, s_wait, CancellationToken.None)));
        Assert.Equal(6, session.BytesSent);

        peer.Close(abort: false);
        Assert.Equal(SessionArrivalKind.Closed, Next(session).Kind);
    }

    [Fact]
    public void WhatArrivesWhileALineIsHalfTypedIsPrintedAboveItAndTheLineIsDrawnAgain()
    {
        var screen = new SessionScreen("> ");
        Assert.Equal("> ", screen.Redraw());
        Assert.Equal("h", screen.Typed('h'));
        screen.Typed('a');

        Assert.Equal("\r\u001b[Kpushed\r\n> ha", screen.Arrived("pushed\n"));
        // The peer's own prompt (no newline) stays on the input line, before ours; the next text finishes it.
        Assert.Equal("\r\u001b[KS> > ha", screen.Arrived("S> "));
        Assert.Equal("\r\u001b[KS> done\r\n> ha", screen.Arrived("done\n"));
        Assert.Equal("\r\u001b[K> h", screen.Backspace());
        Assert.Equal("\r\u001b[K00000000  00\r\n> h", screen.Block(["00000000  00"]));
        Assert.Equal("\r\n", screen.Enter(out string line));
        Assert.Equal("h", line);
        Assert.Equal(string.Empty, screen.Input);
    }

    [Theory]
    [InlineData("CRLF", "\r\n")]
    [InlineData("lf", "\n")]
    [InlineData("NUL", "\0")]
    [InlineData("\r\n\r\n", "\r\n\r\n")]
    public void NewLineIsNamedOrGivenAsItIs(string given, string meant) => Assert.Equal(meant, SessionText.NewLineNamed(given));

    [Fact]
    public void SplitLinesDropsLineEndingsAndKeepsALastUnfinishedLine() =>
        Assert.Equal(["one", "two", "", "three"], SessionText.SplitLines("one\r\ntwo\n\nthree"));

    private static SessionArrival Next(SocketSession session)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (DateTime.UtcNow < deadline)
        {
            var arrival = session.Next(TimeSpan.FromMilliseconds(25), CancellationToken.None);
            if (arrival is { Data.Length: > 0 } or { Kind: SessionArrivalKind.Closed })
            {
                return arrival;
            }
        }
        throw new TimeoutException("nothing arrived");
    }
}
