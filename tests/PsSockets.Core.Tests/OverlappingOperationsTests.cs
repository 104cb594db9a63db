using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>A send and a receive on one socket from two threads: neither may leave the other uncancellable.</summary>
public sealed class OverlappingOperationsTests
{
    [Fact]
    public async Task ASendAndAReceiveOverlapAndTheSendStaysStoppableByItsTimeLimit()
    {
        var (ours, peer) = SocketPair.Create(SocketPairTransport.Tcp, null, null);
        using var _ = ours;
        using var __ = peer;
        ours.Socket.SendBufferSize = 4096;
        peer.Socket.ReceiveBufferSize = 4096;

        var receive = Task.Run(() => ours.ReceiveAvailable(16, peek: false, TimeSpan.FromSeconds(20), CancellationToken.None));
        var send = Task.Run(() => ours.Send(new byte[64 << 20], TimeSpan.FromSeconds(2), CancellationToken.None)); // the peer never reads
        Assert.True(SpinWait.SpinUntil(() => ours.BytesSent > 0, TimeSpan.FromSeconds(10)), "the send never started");

        peer.Send(new byte[] { 42 }, TimeSpan.FromSeconds(5), CancellationToken.None); // the receive ends while the send goes on
        Assert.Equal(new byte[] { 42 }, await receive.WaitAsync(TimeSpan.FromSeconds(20)));
        peer.ReceiveAvailable(1 << 20, peek: false, TimeSpan.FromSeconds(5), CancellationToken.None); // room again: the send goes on

        Assert.True(((IAsyncResult)send).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(15)), "the send could no longer be stopped");
        var failure = Assert.IsType<SocketOperationException>(send.Exception!.InnerException);
        Assert.Equal(SocketFailure.OperationTimeout, failure.Failure);
        Assert.True(ours.Socket.Blocking); // what the user had is restored once both are done
    }

    [Fact]
    public void AVeryLongTimeLimitStillWaitsInWholeSlices()
    {
        using var deadline = Deadline.Start(TimeSpan.FromSeconds(1_900_000), CancellationToken.None);
        Assert.Equal(100_000, deadline.SliceMicroseconds(100_000)); // no overflow into a zero-length (spinning) wait
        Assert.Equal(0, Deadline.Microseconds(-5, 100));
        Assert.Equal(100, Deadline.Microseconds(long.MaxValue, 100));
    }
}
