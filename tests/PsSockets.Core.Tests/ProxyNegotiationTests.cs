using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>
/// The bytes of SOCKS5 and HTTP CONNECT, against a proxy played by the test on the other end of a TCP pair: what
/// is sent, byte for byte, and that the target's bytes arriving in the same segment as the answer stay buffered.
/// </summary>
public sealed class ProxyNegotiationTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(10);

    [Fact]
    public void HttpConnectSendsTheRequestAndKeepsTheBytesAfterTheBlankLine()
    {
        using var pair = Negotiate("http://u:p@127.0.0.1:3128", "example.com", 443, proxy =>
        {
            Assert.Equal("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic dTpw\r\n\r\n", ReceiveHead(proxy));
            Send(proxy, "HTTP/1.1 200 Connection established\r\nVia: 1.1 test\r\n\r\nSSH-2.0-target\r\n"); // one write, one segment
        });
        Assert.Null(pair.Failure);
        Assert.Equal("SSH-2.0-target\r\n", Encoding.ASCII.GetString(pair.Ours.ReceiveAvailable(100, peek: false, s_limit, CancellationToken.None)));
    }

    [Fact]
    public void HttpConnectPutsBracketsAroundAnIPv6TargetAndTakesABareLfHead()
    {
        using var pair = Negotiate("http://127.0.0.1:3128", "::1", 22, proxy =>
        {
            Assert.Equal("CONNECT [::1]:22 HTTP/1.1\r\nHost: [::1]:22\r\n\r\n", ReceiveHead(proxy));
            Send(proxy, "HTTP/1.0 200 OK\n\nX");
        });
        Assert.Null(pair.Failure);
        Assert.Equal(1, pair.Ours.BytesBuffered);
    }

    [Fact]
    public void HttpConnectReadsPastAnInterimAnswerAndReportsAFinalOneThatIsNot2xx()
    {
        using var pair = Negotiate("http://127.0.0.1:3128", "example.com", 443, proxy =>
        {
            ReceiveHead(proxy);
            Send(proxy, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        });
        var failure = Assert.IsType<SocketOperationException>(pair.Failure);
        Assert.Equal(SocketFailure.ProxyFailed, failure.Failure);
        Assert.Equal("Cannot connect to example.com:443 via http proxy 127.0.0.1:3128: the proxy refused the tunnel (HTTP/1.1 403 Forbidden).", failure.Message);
    }

    [Fact]
    public void AnHttpHeadThatNeverEndsIsAProtocolErrorAtSixteenKiB()
    {
        using var pair = Negotiate("http://127.0.0.1:3128", "example.com", 443, proxy =>
        {
            ReceiveHead(proxy);
            Send(proxy, "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Padding: 0123456789abcdef\r\n", 1000)));
        });
        var failure = Assert.IsType<SocketOperationException>(pair.Failure);
        Assert.Equal(SocketFailure.ProxyProtocolError, failure.Failure);
        Assert.Contains("16384 bytes", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Socks5LogsInSendsANameAndKeepsTheBytesAfterAReplyWithANameInIt()
    {
        using var pair = Negotiate("socks5://u:pw@127.0.0.1:1080", "example.com", 443, proxy =>
        {
            Assert.Equal(new byte[] { 5, 2, 0, 2 }, Receive(proxy, 4));
            proxy.Send(new byte[] { 5, 2 }, s_limit, CancellationToken.None);
            Assert.Equal(new byte[] { 1, 1, (byte)'u', 2, (byte)'p', (byte)'w' }, Receive(proxy, 6));
            proxy.Send(new byte[] { 1, 0 }, s_limit, CancellationToken.None);
            Assert.Equal([5, 1, 0, 3, 11, .. "example.com"u8.ToArray(), 0x01, 0xBB], Receive(proxy, 18));
            proxy.Send((byte[])[5, 0, 0, 3, 4, .. "host"u8.ToArray(), 0, 80, .. "hello"u8.ToArray()], s_limit, CancellationToken.None);
        });
        Assert.Null(pair.Failure);
        Assert.Equal("hello", Encoding.ASCII.GetString(pair.Ours.ReceiveAvailable(100, peek: false, s_limit, CancellationToken.None)));
    }

    [Theory]
    [InlineData("::1", new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 })]
    [InlineData("[::1]", new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 })]
    [InlineData("10.1.2.3", new byte[] { 1, 10, 1, 2, 3 })]
    [InlineData("127.1", new byte[] { 3, 5, (byte)'1', (byte)'2', (byte)'7', (byte)'.', (byte)'1' })] // not written as an address: the proxy reads it
    [InlineData("bücher.example", new byte[] { 3, 21, (byte)'x', (byte)'n', (byte)'-', (byte)'-', (byte)'b', (byte)'c', (byte)'h', (byte)'e', (byte)'r', (byte)'-', (byte)'k', (byte)'v', (byte)'a', (byte)'.', (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e' })]
    public void Socks5SendsAddressesAsAddressesAndNamesAsNames(string host, byte[] address)
    {
        byte[]? request = null;
        using var pair = Negotiate("socks5://127.0.0.1:1080", host, 80, proxy =>
        {
            Assert.Equal(new byte[] { 5, 1, 0 }, Receive(proxy, 3));
            proxy.Send(new byte[] { 5, 0 }, s_limit, CancellationToken.None);
            request = Receive(proxy, 3 + address.Length + 2);
            proxy.Send(new byte[] { 5, 0, 0, 1, 127, 0, 0, 1, 0, 80 }, s_limit, CancellationToken.None);
        });
        Assert.Null(pair.Failure);
        Assert.Equal([5, 1, 0, .. address, 0, 80], request);
        Assert.Equal(0, pair.Ours.BytesBuffered);
    }

    [Theory]
    [InlineData(1, SocketFailure.ProxyFailed, "general SOCKS server failure")]
    [InlineData(2, SocketFailure.ProxyFailed, "connection not allowed by ruleset")]
    [InlineData(3, SocketFailure.NetworkUnreachable, "network unreachable")]
    [InlineData(4, SocketFailure.HostUnreachable, "host unreachable")]
    [InlineData(5, SocketFailure.ConnectionRefused, "connection refused")]
    [InlineData(9, SocketFailure.ProxyFailed, "a reply code RFC 1928 does not define")]
    public void Socks5ReplyCodesBecomeTheNearestFailure(byte code, SocketFailure expected, string meaning)
    {
        using var pair = Negotiate("socks5://127.0.0.1:1080", "db01", 5432, proxy =>
        {
            Receive(proxy, 3);
            proxy.Send(new byte[] { 5, 0 }, s_limit, CancellationToken.None);
            Receive(proxy, 3 + 1 + 1 + 4 + 2);
            proxy.Send(new byte[] { 5, code, 0, 1 }, s_limit, CancellationToken.None); // a sloppy proxy stops there: the code is enough
        });
        var failure = Assert.IsType<SocketOperationException>(pair.Failure);
        Assert.Equal(expected, failure.Failure);
        Assert.Equal($"Cannot connect to db01:5432 via socks5 proxy 127.0.0.1:1080: the proxy answered {meaning} (SOCKS5 reply {code}).", failure.Message);
        Assert.Equal("db01:5432 via socks5://127.0.0.1:1080", failure.Target);
    }

    [Fact]
    public void AProxyThatSaysAFewBytesAndClosesIsAProtocolError()
    {
        using var pair = Negotiate("socks5://127.0.0.1:1080", "db01", 5432, proxy =>
        {
            Receive(proxy, 3);
            Send(proxy, "?");
            proxy.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        });
        var failure = Assert.IsType<SocketOperationException>(pair.Failure);
        Assert.Equal(SocketFailure.ProxyProtocolError, failure.Failure);
        Assert.Contains("it sent 1 byte ('?'), then closed the connection", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("socks5://127.0.0.1:1080", "bad host", "no spaces or control characters")]
    [InlineData("http://127.0.0.1:3128", "db01\r\nX-Injected: 1", "no spaces or control characters")]
    [InlineData("http://a:b@127.0.0.1:3128", "", "there is no host")]
    [InlineData("http://a%3Ab:c@127.0.0.1:3128", "db01", "has no ':'")]
    public void WhatAProxyCannotBeToldFailsBeforeAnyConnection(string proxy, string host, string why)
    {
        var e = Assert.Throws<SocketOperationException>(() => ProxyNegotiation.For(ProxyAddress.Parse(proxy), host, 80));
        Assert.Equal(SocketFailure.InvalidArgument, e.Failure);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASocks5NameOver255BytesFailsBeforeAnyConnection()
    {
        var e = Assert.Throws<SocketOperationException>(() => ProxyNegotiation.For(ProxyAddress.Parse("socks5://h"), new string('a', 256), 80));
        Assert.Contains("at most 255", e.Message, StringComparison.Ordinal);
        var user = Assert.Throws<SocketOperationException>(() => ProxyNegotiation.For(ProxyAddress.Parse($"socks5://{new string('u', 256)}:p@h"), "db01", 80));
        Assert.Contains("1 to 255 bytes", user.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs the negotiation on one end of a TCP pair while <paramref name="proxy"/> plays the proxy on the other.</summary>
    private static Pair Negotiate(string proxyText, string host, int port, Action<PsSocket> proxy)
    {
        var (ours, theirs) = SocketPair.Create(SocketPairTransport.Tcp, null, null);
        var address = ProxyAddress.Parse(proxyText);
        Exception? failure = null;
        var negotiation = new Thread(() =>
        {
            try
            {
                var conversation = new ProxyConversation(ours, address, host is ['[', .., ']'] ? host[1..^1] : host, port, s_limit, Stopwatch.GetTimestamp(), CancellationToken.None);
                ProxyNegotiation.For(address, host, port).Run(conversation);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        negotiation.Start();
        proxy(theirs);
        Assert.True(negotiation.Join(s_limit), "the negotiation did not end");
        return new Pair(ours, theirs, failure);
    }

    private static string ReceiveHead(PsSocket proxy) =>
        proxy.Receive(new HttpHeadFraming(), peek: false, s_limit, CancellationToken.None, PsSocket.AsUtf8Text);

    private static byte[] Receive(PsSocket proxy, int count) =>
        proxy.Receive(new CountFraming(count), peek: false, s_limit, CancellationToken.None, PsSocket.AsBytes);

    private static void Send(PsSocket proxy, string text) => proxy.Send(Encoding.ASCII.GetBytes(text), s_limit, CancellationToken.None);

    private sealed record Pair(PsSocket Ours, PsSocket Theirs, Exception? Failure) : IDisposable
    {
        public void Dispose()
        {
            Ours.Close();
            Theirs.Close();
        }
    }
}
