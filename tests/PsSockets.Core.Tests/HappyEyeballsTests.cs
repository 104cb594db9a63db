using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>Connection racing (RFC 8305): a dead route costs one attempt delay, not the whole connect.</summary>
public sealed class HappyEyeballsTests
{
    [Fact]
    public void AnAddressWhoseSynsAreDroppedDoesNotStallTheConnect()
    {
        using var dead = new DeadRoute();
        using var alive = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        alive.Bind(new IPEndPoint(IPAddress.Loopback, dead.Port));
        alive.Listen(4);
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(20)); // no time limit of its own: a stall would hang
        using var deadline = Deadline.Start(null, safety.Token);
        var failures = new ConnectFailures();
        var watch = Stopwatch.StartNew();

        using var connected = HappyEyeballs.Connect([IPAddress.IPv6Loopback, IPAddress.Loopback], dead.Port, _ => { }, deadline, failures, out _);

        watch.Stop();
        Assert.NotNull(connected);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, dead.Port), connected!.RemoteEndPoint);
        Assert.True(connected.Blocking);
        Assert.Equal(0, failures.Count);
        Assert.InRange(watch.Elapsed, HappyEyeballs.AttemptDelay * 0.9, TimeSpan.FromSeconds(10)); // the IPv6 attempt went first and was given its delay
        using var accepted = alive.Accept();
        Assert.Equal(connected.LocalEndPoint, accepted.RemoteEndPoint);
    }

    [Fact]
    public void ARefusedAddressStartsTheNextAttemptAtOnceAndEveryFailureIsListed()
    {
        using var closed = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0)); // bound, never listening: connects are refused
        int port = ((IPEndPoint)closed.LocalEndPoint!).Port;
        using var closedToo = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closedToo.Bind(new IPEndPoint(IPAddress.Loopback, port));
        using var deadline = Deadline.Start(TimeSpan.FromSeconds(10), CancellationToken.None);
        var failures = new ConnectFailures();

        var connected = HappyEyeballs.Connect([IPAddress.IPv6Loopback, IPAddress.Loopback], port, _ => { }, deadline, failures, out _);

        Assert.Null(connected);
        Assert.Equal(2, failures.Count);
        Assert.All(failures.Errors, e => Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode));
        Assert.StartsWith($"[::1]:{port}", failures.Descriptions[0], StringComparison.Ordinal);
        Assert.StartsWith($"127.0.0.1:{port}", failures.Descriptions[1], StringComparison.Ordinal);
    }

    [Fact]
    public void WhenTimeRunsOutTheErrorNamesTheAttemptsStillPending()
    {
        using var dead = new DeadRoute();
        using var deadline = Deadline.Start(TimeSpan.FromSeconds(0.4), CancellationToken.None);

        var e = Assert.Throws<SocketOperationException>(() => HappyEyeballs.Connect([IPAddress.IPv6Loopback], dead.Port, _ => { }, deadline, new ConnectFailures(), out _));

        Assert.Equal(SocketFailure.OperationTimeout, e.Failure);
        Assert.Contains($"[::1]:{dead.Port}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::1 ::2 10.0.0.1 10.0.0.2", "::1 10.0.0.1 ::2 10.0.0.2")]
    [InlineData("10.0.0.1 ::1 10.0.0.2 10.0.0.3", "10.0.0.1 ::1 10.0.0.2 10.0.0.3")]
    [InlineData("::1", "::1")]
    public void FamiliesAlternateStartingWithTheResolversFirst(string resolved, string tried)
    {
        var order = HappyEyeballs.Interleave(Array.ConvertAll(resolved.Split(' '), IPAddress.Parse));
        Assert.Equal(tried, string.Join(' ', order));
    }
}
