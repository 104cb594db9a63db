using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PsSockets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace PsSockets.Tests;

/// <summary>
/// What a session leaves open goes when the session does: closing the runspace, or Remove-Module PsSockets in
/// it, closes every socket the user never closed (a python3 peer sees each connection end), removes the unix
/// listener's socket file, frees every port, stops handler servers and relays (their clients see the end), and
/// leaves the process's descriptors, threads and managed memory where they were, session after session.
/// (SocketServerLoadAndStopTests, RelayStopTests and RunspaceSharingTests check servers, relays and sockets
/// one kind at a time; this is everything at once, counted.)
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SessionEndCleanupTests(ITestOutputHelper log)
{
    private const int Sessions = 5;

    // Every kind of thing a session can leave open, none closed: a listener, a unix listener, both ends of a
    // connection, three clients of the python peer, a handler server holding a client, a relay to the peer.
    private const string LeaveEverythingOpen = """
        param($peerPort, $unixPath)
        $l = Start-SocketListener -Port 0
        $u = Start-SocketListener -Path $unixPath
        $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 5
        $s = Wait-SocketConnection $l -Timeout 5
        $p = 1..3 | ForEach-Object { Connect-Socket 127.0.0.1 $peerPort -Timeout 5 }
        $p | ForEach-Object { Send-SocketData $_ 'x'; $null = Receive-SocketData $_ -Count 1 -Timeout 5 }   # each one accepted and echoed
        $srv = Start-SocketListener -Port 0 -Handler { param($c) Send-SocketData $c -Line 'hello'; $null = Receive-SocketData $c -ToEnd }
        $r = Start-SocketRelay 0 "127.0.0.1:$peerPort"
        $l.LocalEndPoint.Port; $srv.LocalEndPoint.Port; $r.ListenEndPoint.Port
        """;

    [Fact]
    public void ClosingTheRunspaceClosesWhatTheUserLeftOpen() => EndSessions(runspace => runspace.Dispose(), "runspace closed");

    [Fact]
    public void RemovingTheModuleClosesWhatTheUserLeftOpen() => EndSessions(runspace =>
    {
        using var ps = PowerShell.Create(runspace);
        ps.AddScript("Remove-Module PsSockets").Invoke();
        Assert.Empty(ps.Streams.Error);
    }, "Remove-Module, the runspace still open");

    /// <summary>
    /// One session to warm up, then <see cref="Sessions"/> more, measured: each leaves everything open, <paramref name="end"/>
    /// ends it, and what it left must be gone before the runspace is disposed (Remove-Module leaves it open).
    /// </summary>
    private void EndSessions(Action<Runspace> end, string how)
    {
        using var peer = PythonPeer.Listening("counting_echo_server.py");
        int served = 0;
        OneSession(peer, end, ref served);
        var before = Footprint.Measure();
        for (int i = 0; i < Sessions; i++)
        {
            OneSession(peer, end, ref served);
        }
        var after = Footprint.Measure();
        log.WriteLine($"{Sessions} sessions left everything open, {how}: before {before}; after {after}");
        after.AssertWithin(before, descriptors: 2, threads: 4, managedBytes: 2 * 1024 * 1024);
    }

    private static void OneSession(PythonPeer peer, Action<Runspace> end, ref int served)
    {
        string unixPath = Path.Combine(Path.GetTempPath(), $"pssockets-end-{Guid.NewGuid():N}.sock");
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        int[] ports;
        using (var ps = PowerShell.Create(runspace))
        {
            ps.AddScript($"Import-Module '{ModulePath()}' -ErrorAction Stop").AddStatement().AddScript(LeaveEverythingOpen).AddArgument(peer.Port).AddArgument(unixPath);
            ports = ps.Invoke().Select(o => Convert.ToInt32(o.BaseObject, CultureInfo.InvariantCulture)).ToArray();
            Assert.Empty(ps.Streams.Error);
        }
        Assert.True(File.Exists(unixPath));
        using var handled = Connected(ports[1]);
        Assert.Equal("hello\n", Read(handled, 6));
        using var relayed = Connected(ports[2]);
        relayed.Send("y"u8);
        Assert.Equal("y", Read(relayed, 1));
        served += 4;

        end(runspace);

        // The python peer saw its three clients close (the relay resets what it carried), and none is left open.
        peer.WriteLine("IDLE 20");
        Assert.Equal($"STATS accepted={served} closed={served / 4 * 3} open=0 reset={served / 4}", peer.ReadLine(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, handled.Receive(new byte[1]));   // the handler server's client sees its end
        Assert.Equal(SocketError.ConnectionReset, Assert.Throws<SocketException>(() => relayed.Receive(new byte[1])).SocketErrorCode);
        Assert.False(File.Exists(unixPath), "The unix listener's socket file is still there.");
        Assert.All(ports, port => Assert.True(ReservedPorts.IsFree(port), $"Port {port} is still taken."));
    }

    private static string ModulePath() => ModuleLayout.ModulePath.Replace("'", "''", StringComparison.Ordinal);

    private static Socket Connected(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    private static string Read(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = socket.Receive(buffer, got, count - got, SocketFlags.None);
            Assert.True(n > 0, "The connection closed early.");
            got += n;
        }
        return Encoding.UTF8.GetString(buffer);
    }
}
