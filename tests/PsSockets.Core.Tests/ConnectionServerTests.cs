using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>The accept loop of a concurrent server, with handlers written in C#: what ends them, what it counts, how it stops.</summary>
public sealed class ConnectionServerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void AHandlerThatThrowsAtOnceIsAFailureAndTheServerGoesOn()
    {
        var faults = new ConcurrentQueue<Exception>();
        int calls = 0;
        var server = Serve(1, (client, _) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("no runspace")
            : Task.FromResult(HandlerEnd.Completed));
        server.Faulted += (_, e) => faults.Enqueue(e);

        Assert.Equal(0, ConnectAndReadToEnd(server)); // the failed handler's client is closed too
        Assert.Equal(0, ConnectAndReadToEnd(server));
        Assert.Equal((1L, 1L, 2L), (server.Failed, server.Completed, server.Accepted));
        Assert.Equal("no runspace", Assert.Single(faults).Message);
        server.StopHandlers(TimeSpan.FromSeconds(1));
        Assert.Equal(ServerState.Stopped, server.State);
    }

    [Fact]
    public void AListenerClosedUnderTheServerEndsItOnceItsHandlersEnd()
    {
        var release = new TaskCompletionSource<HandlerEnd>();
        var server = Serve(2, (_, _) => release.Task);
        using var client = Connect(server);
        Assert.True(SpinWait.SpinUntil(() => server.Active == 1, s_wait));

        server.Listener.Close();
        Assert.True(SpinWait.SpinUntil(() => server.State == ServerState.Stopping, s_wait));
        release.SetResult(HandlerEnd.Completed);
        Assert.True(server.WaitForHandlers(s_wait, CancellationToken.None));
        Assert.Equal(ServerState.Stopped, server.State);
        Assert.Equal(0, client.Receive(new byte[1]));
    }

    [Fact]
    public void TheListenersDefaultTimeoutDoesNotEndTheServer()
    {
        var server = Serve(1, (_, _) => Task.FromResult(HandlerEnd.Completed), listenerTimeout: 0.05);
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        SpinWait.SpinUntil(() => quiet.Elapsed > TimeSpan.FromSeconds(0.3)); // several accept timeouts go by

        Assert.Equal(ServerState.Running, server.State);
        Assert.Equal(0, ConnectAndReadToEnd(server));
        Assert.Equal(1L, server.Completed);
        server.StopHandlers(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void StoppingCancelsTheHandlersTokenThenClosesTheSocketsOfThoseThatIgnoreIt()
    {
        var listening = new ConcurrentQueue<CancellationToken>();
        var server = Serve(4, (client, stop) =>
        {
            listening.Enqueue(stop);
            return Task.Run(() =>
            {
                try
                {
                    client.Socket.Receive(new byte[1]); // deaf to the token: only a close ends it
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
                return HandlerEnd.Interrupted;
            });
        });
        using var first = Connect(server);
        using var second = Connect(server);
        Assert.True(SpinWait.SpinUntil(() => server.Active == 2, s_wait));

        Assert.True(server.StopHandlers(TimeSpan.FromSeconds(0.2)));
        Assert.All(listening, t => Assert.True(t.IsCancellationRequested));
        Assert.Equal((2L, 0, ServerState.Stopped), (server.Interrupted, server.Active, server.State));
    }

    private static ConnectionServer Serve(int throttleLimit, ConnectionHandler handler, double? listenerTimeout = null)
    {
        var listener = SocketFactory.Listen(new IPEndPoint(IPAddress.Loopback, 0), 16, new SocketOptions { Timeout = listenerTimeout });
        var server = new ConnectionServer(listener, throttleLimit, handler);
        server.Start();
        return server;
    }

    private static Socket Connect(ConnectionServer server)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        client.Connect((IPEndPoint)server.Listener.LocalEndPoint!);
        return client;
    }

    /// <summary>Connects and waits for the server to close the connection: the bytes it sent before that.</summary>
    private static int ConnectAndReadToEnd(ConnectionServer server)
    {
        using var client = Connect(server);
        int total = 0;
        for (int n; (n = client.Receive(new byte[64])) > 0;)
        {
            total += n;
        }
        return total;
    }
}
