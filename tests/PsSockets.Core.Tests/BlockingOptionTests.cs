using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>
/// The Blocking option while a send of ours holds the OS socket non-blocking: the user's choice is what
/// the option shows and what the socket gets back when the send ends, never a blocking socket mid-send.
/// </summary>
public sealed class BlockingOptionTests
{
    private static readonly SocketOptionDefinition s_blocking = SocketOptionCatalog.Get("Blocking");

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void BlockingSetDuringASendIsWhatTheSocketGetsWhenTheSendEnds(bool before, bool during)
    {
        var (ours, peer) = SocketPair.Create(SocketPairTransport.Tcp, null, null);
        using var _ = ours;
        using var __ = peer;
        ours.Socket.SendBufferSize = 4096;
        peer.Socket.ReceiveBufferSize = 4096;
        s_blocking.Set(ours, before);
        using var stop = new CancellationTokenSource();

        var send = Task.Run(() => ours.Send(new byte[64 << 20], TimeSpan.FromSeconds(30), stop.Token)); // the peer never reads
        Assert.True(SpinWait.SpinUntil(() => ours.BytesSent > 0, TimeSpan.FromSeconds(10)), "the send never started");
        Assert.False(ours.Socket.Blocking); // the send holds the OS socket non-blocking
        Assert.Equal(before, s_blocking.Get(ours).Value);

        s_blocking.Set(ours, during);
        Assert.False(ours.Socket.Blocking); // still: the running send must not turn into an uncancellable blocking call
        Assert.Equal(during, s_blocking.Get(ours).Value);

        stop.Cancel();
        Assert.True(((IAsyncResult)send).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "the send did not stop");
        Assert.IsAssignableFrom<OperationCanceledException>(send.Exception!.InnerException);
        Assert.Equal(during, ours.Socket.Blocking);
        Assert.Equal(during, s_blocking.Get(ours).Value);
    }
}
