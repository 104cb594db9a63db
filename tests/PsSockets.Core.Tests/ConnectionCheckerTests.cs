using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>Test-SocketConnection's engine without PowerShell: ordering, one lookup per name, addresses in turn, stops, reading for -Expect.</summary>
public sealed class ConnectionCheckerTests
{
    [Fact]
    public void ResultsComeInTheOrderAddedEachOnceEveryEarlierOneIsDone()
    {
        using var dead = new DeadRoute();
        using var closed = BoundNotListening(AddressFamily.InterNetwork, 0);
        using var checker = new ConnectionChecker(new ConnectionCheckSettings { Timeout = TimeSpan.FromSeconds(1) }, CancellationToken.None);
        var watch = Stopwatch.StartNew();

        checker.Add("::1", dead.Port);
        checker.Add("127.0.0.1", PortOf(closed));

        Assert.False(checker.TryTakeNext(out _)); // the refused one is done at once, but waits behind the first
        var first = checker.TakeNext();
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal("OperationTimeout", first!.ErrorId);
        Assert.Equal(dead.Port, first.Port);
        Assert.True(checker.TryTakeNext(out var second));
        Assert.Equal("ConnectionRefused", second.ErrorId);
        Assert.Null(checker.TakeNext());
        Assert.Equal(0, checker.Pending);
    }

    [Fact]
    public async Task ANameIsLookedUpOnceForAllItsPortsAndAgainWhenWaitingAfterAFailure()
    {
        var once = new HostAddressCache(TimeSpan.FromSeconds(10), retryFailures: false, CancellationToken.None);
        Assert.Same(once.Get("localhost", AddressFamily.Unspecified), once.Get("LocalHost", AddressFamily.Unspecified));
        var failed = once.Get("nonexistent.invalid", AddressFamily.Unspecified);
        var error = await Assert.ThrowsAsync<SocketOperationException>(() => failed);
        Assert.Equal(SocketFailure.HostNotFound, error.Failure);
        Assert.Same(failed, once.Get("nonexistent.invalid", AddressFamily.Unspecified));

        var waiting = new HostAddressCache(TimeSpan.FromSeconds(10), retryFailures: true, CancellationToken.None);
        var first = waiting.Get("nonexistent.invalid", AddressFamily.Unspecified);
        await Assert.ThrowsAsync<SocketOperationException>(() => first);
        Assert.NotSame(first, waiting.Get("nonexistent.invalid", AddressFamily.Unspecified));

        var v6Only = await Assert.ThrowsAsync<SocketOperationException>(() => once.Get("127.0.0.1", AddressFamily.InterNetworkV6));
        Assert.Equal("Cannot resolve host '127.0.0.1': it has no address of family InterNetworkV6.", v6Only.Message);
    }

    [Fact]
    public async Task AddressesAreTriedInTurnAndTheOneThatAcceptedIsReported()
    {
        using var refusing = BoundNotListening(AddressFamily.InterNetworkV6, 0);
        int port = PortOf(refusing);
        using var listening = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listening.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listening.Listen(4);
        var attempt = new CheckAttempt();

        using var connected = await ConnectionProbe.ConnectAsync("localhost", [IPAddress.IPv6Loopback, IPAddress.Loopback], port, attempt, CancellationToken.None);

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), connected.RemoteEndPoint);
        Assert.Equal(IPAddress.Loopback, attempt.Address);
        Assert.NotNull(attempt.Latency);

        listening.Close();
        using var refusingToo = BoundNotListening(AddressFamily.InterNetwork, port);
        var error = await Assert.ThrowsAsync<SocketOperationException>(() =>
            ConnectionProbe.ConnectAsync("localhost", [IPAddress.IPv6Loopback, IPAddress.Loopback], port, new CheckAttempt(), CancellationToken.None));
        Assert.Equal(SocketFailure.ConnectionRefused, error.Failure);
        Assert.Equal($"Cannot connect to localhost:{port}: [::1]:{port}: Connection refused; 127.0.0.1:{port}: Connection refused.", error.Message);
    }

    [Fact]
    public void AStopEndsTheWaitAtOnceAndDisposeReturnsOnceEveryCheckHasEnded()
    {
        using var dead = new DeadRoute();
        using var stop = new CancellationTokenSource();
        var checker = new ConnectionChecker(new ConnectionCheckSettings { Timeout = TimeSpan.FromSeconds(60), ThrottleLimit = 8 }, stop.Token);
        for (int i = 0; i < 32; i++)
        {
            checker.Add("::1", dead.Port);
        }
        stop.CancelAfter(TimeSpan.FromMilliseconds(200)); // Ctrl+C while the connects hang
        var watch = Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() => checker.TakeNext());
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        watch.Restart();
        checker.Dispose();
        // Far below the checks' 60 s limit, which a hang would reach; 1 s was missed twice (1.04 s) while the
        // three test assemblies started together on two cores.
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n", "SSH-2.0", "Found")]
    [InlineData("xx+PONG\r\n", "+PONG", "Found")]
    [InlineData("5 €, été\n", "été", "Found")]
    [InlineData("-ERR unknown\r\n", "+PONG", "PeerClosed")]
    [InlineData("0123456789abcdef+PONG", "+PONG", "TooLong")]
    public async Task TheExpectedTextIsFoundHoweverItIsCutIntoReads(string sent, string expect, string ending)
    {
        foreach (int piece in new[] { 1, 2, 3, 4096 })
        {
            var reader = new ResponseReader(expect, maxBytes: 16);
            var outcome = await reader.ReadAsync(new PieceStream(Encoding.UTF8.GetBytes(sent), piece), CancellationToken.None);
            Assert.Equal(ending, outcome.ToString());
            Assert.StartsWith(reader.Text, sent, StringComparison.Ordinal);
            Assert.InRange(reader.Bytes, 1, 16);
        }
    }

    private static Socket BoundNotListening(AddressFamily family, int port)
    {
        var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, port));
        return socket;
    }

    private static int PortOf(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    /// <summary>A peer's bytes, at most <c>piece</c> per read, then the end of the stream.</summary>
    private sealed class PieceStream(byte[] data, int piece) : Stream
    {
        private int _at;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _at; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, piece), data.Length - _at);
            Array.Copy(data, _at, buffer, offset, n);
            _at += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
