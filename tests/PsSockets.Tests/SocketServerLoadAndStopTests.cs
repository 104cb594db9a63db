using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PsSockets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace PsSockets.Tests;

/// <summary>
/// The handler server under load (a thousand python3 clients at once, every byte checked, no descriptor left
/// behind) and while it stops: the port is free at once, -Timeout lets handlers finish, Ctrl+C cuts the wait
/// short, a handler deaf to stops is cut off through its socket, and an ended session or Remove-Module stops it.
/// The load is 1,000 clients x 100 messages; PSSOCKETS_HEAVY_TESTS=1 runs 2,000 x 100.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SocketServerLoadAndStopTests : SocketTestBase
{
    private static readonly bool Heavy = Environment.GetEnvironmentVariable("PSSOCKETS_HEAVY_TESTS") == "1";

    // Every handler counts itself in and out of $stats, so the test sees how many ever ran at once.
    private const string CountingEchoServer = """
        $stats = [hashtable]::Synchronized(@{ Now = 0; Max = 0 })
        $srv = Start-SocketListener -Port 0 -Backlog $args[0] -ThrottleLimit $args[1] -ArgumentList $stats -Handler {
            param($c, $stats)
            [System.Threading.Monitor]::Enter($stats.SyncRoot)
            try { $stats.Now++; $stats.Max = [Math]::Max($stats.Max, $stats.Now) } finally { [System.Threading.Monitor]::Exit($stats.SyncRoot) }
            try {
                Receive-SocketData $c -Line -Continuous | Send-SocketData $c -Line
            }
            finally {
                [System.Threading.Monitor]::Enter($stats.SyncRoot)
                try { $stats.Now-- } finally { [System.Threading.Monitor]::Exit($stats.SyncRoot) }
            }
        }
        $srv.LocalEndPoint.Port
        """;

    // Greets each client, then echoes until it shuts down: a client that read the greeting has a running handler.
    private const string GreetingServer = """
        $srv = Start-SocketListener -Port 0 -Handler {
            param($c)
            Send-SocketData $c -Line 'hello'
            Receive-SocketData $c -Line -Continuous | Send-SocketData $c -Line
        }
        $port = $srv.LocalEndPoint.Port
        $clients = 1..3 | ForEach-Object { Connect-Socket 127.0.0.1 $port -Timeout 5 }
        $clients | ForEach-Object { $null = Receive-SocketData $_ -Line -Timeout 5 }
        """;

    private readonly ITestOutputHelper _log;

    public SocketServerLoadAndStopTests(PsSession ps, ITestOutputHelper log)
        : base(ps)
    {
        _log = log;
        ps.Run("Get-SocketServer | Stop-SocketServer").Ok();
    }

    [Fact]
    public void AThousandClientsAtOnceEachEchoAHundredMessagesByteForByte()
    {
        int clients = Heavy ? 2000 : 1000, messages = 100, throttle = 16;
        int before = OpenDescriptors();
        var watch = Stopwatch.StartNew();
        int port = (int)Ps.Run(CountingEchoServer, clients + 24, throttle).Ok().Single!;
        using (var swarm = PythonPeer.Start("echo_swarm.py", $"{port}", $"{clients}", $"{messages}", "240"))
        {
            string summary = swarm.ReadLine(TimeSpan.FromSeconds(300));
            _log.WriteLine($"{summary} (PowerShell side: {watch.Elapsed.TotalSeconds:0.0} s)");
            Assert.StartsWith($"OK clients={clients} messages={messages} ", summary, StringComparison.Ordinal);
            Assert.Equal(0, swarm.WaitForExit(TimeSpan.FromSeconds(30)));
        }

        // Every client saw its connection close, and a closing client is counted before it sees that.
        var result = Ps.Run("""
            $srv.Accepted; $srv.Completed; $srv.Failed; $srv.Errors.Count; $stats.Max
            Stop-SocketServer $srv
            $srv.State
            """).Ok();
        Assert.Equal(new object?[] { (long)clients, (long)clients, 0L, 0, throttle, "Stopped" }, SocketLifecycleTests.Normalize(result));
        Assert.InRange(OpenDescriptors(), 0, before + 4);
    }

    [Fact]
    public void StoppingARunningServerFreesItsPortAtOnceAndClosesItsClients()
    {
        int before = OpenDescriptors();
        var result = Ps.Run(GreetingServer + """

            $srv.Active
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Stop-SocketServer $srv
            $watch.Elapsed.TotalSeconds -lt 1
            $again = Start-SocketListener -Port $port      # binds the same port at once
            $again.LocalEndPoint.Port -eq $port
            $clients | ForEach-Object { "[$(Receive-SocketData $_ -ToEnd -Timeout 5)] $($_.PeerClosed)" }
            $srv.State; $srv.Interrupted; $srv.Errors.Count; $srv.Active
            """).Ok();
        Assert.Equal(new object?[] { 3, true, true, "[] True", "[] True", "[] True", "Stopped", 3L, 0, 0 }, SocketLifecycleTests.Normalize(result));
        Ps.Run("Get-Socket | Close-Socket").Ok();
        Assert.InRange(OpenDescriptors(), 0, before + 2);
    }

    [Fact]
    public async Task TimeoutLetsRunningHandlersFinishWhileThePortIsAlreadyFree()
    {
        using var gate = new ManualResetEventSlim();
        Ps.Set("gate", gate);
        Ps.Run("""
            $srv = Start-SocketListener -Port 0 -ArgumentList $gate -Handler {
                param($c, $gate)
                Send-SocketData $c -Line 'hello'
                while (-not $gate.Wait(20)) { }
                Send-SocketData $c -Line 'goodbye'
            }
            $port = $srv.LocalEndPoint.Port
            $c = Connect-Socket 127.0.0.1 $port -Timeout 5
            $null = Receive-SocketData $c -Line -Timeout 5
            """).Ok();
        var server = Ps.Get("srv")!;
        int port = (int)Ps.Get("port")!;

        var stopping = Task.Run(() => Ps.Run("$watch = [Diagnostics.Stopwatch]::StartNew(); Stop-SocketServer $srv -Timeout 60; $watch.Elapsed.TotalSeconds"));
        try
        {
            Assert.True(SpinWait.SpinUntil(() => Property(server, "State") == "Stopping", Seconds(20)));

            // Stopping: the listener is closed already, while the handler still runs.
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            Assert.Equal("1", Property(server, "Active"));
        }
        finally
        {
            gate.Set();
        }
        var stopped = (await stopping).Ok();
        Assert.InRange((double)stopped.Single!, 0, 30);
        var result = Ps.Run("Receive-SocketData $c -ToEnd -Timeout 5; $srv.State; $srv.Completed; $srv.Interrupted").Ok();
        Assert.Equal(new object?[] { "goodbye\n", "Stopped", 1L, 0L }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void CtrlCWhileStopSocketServerWaitsStopsTheHandlersAtOnce()
    {
        Ps.Run(GreetingServer).Ok();
        var server = Ps.Get("srv")!;
        var outcome = Ps.RunAndStop("$ready.Set(); Stop-SocketServer $srv -Timeout 60", stopWhen: () => Property(server, "State") == "Stopping");
        AssertStoppedPromptly(outcome);
        var result = Ps.Run("""
            $srv.State; $srv.Interrupted; $srv.Listener.IsClosed
            $clients | ForEach-Object { Receive-SocketData $_ -ToEnd -Timeout 5; $_.PeerClosed }
            """).Ok();
        Assert.Equal(new object?[] { "Stopped", 3L, true, "", true, "", true, "", true }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void AHandlerDeafToStopsIsCutOffByClosingItsSocket()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -Handler {
                param($c)
                Send-SocketData $c -Line 'hello'
                $c.Socket.Receive([byte[]]::new(10))      # a raw .NET call: a stop cannot reach it, a close can
            }
            $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5
            $null = Receive-SocketData $c -Line -Timeout 5
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Stop-SocketServer $srv -WarningVariable warned
            $watch.Elapsed.TotalSeconds -lt 5
            $warned.Count; $srv.State; $srv.Active
            """).Ok();
        Assert.Equal(new object?[] { true, 0, "Stopped", 0 }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void ClosingTheSessionStopsItsServers()
    {
        int before = OpenDescriptors();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        int port;
        using (var session = new PsSession())
        {
            port = (int)session.Run(GreetingServer.Replace("1..3", "1..1", StringComparison.Ordinal) + "\n$port").Ok().Values.Last()!;
            client.Connect(IPAddress.Loopback, port);
            Assert.Equal("hello\n"u8.ToArray(), Receive(client, 6));
        }

        // The session is gone: its server's port is free and its handlers' clients see the end.
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        Assert.Equal(0, client.Receive(new byte[10]));
        Assert.InRange(OpenDescriptors(), 0, before + 3);
    }

    [Fact]
    public void RemoveModuleStopsTheSessionsServers()
    {
        using var session = new PsSession();
        var result = session.Run(GreetingServer + """

            Remove-Module PsSockets
            $srv.State; $srv.Interrupted; $srv.Listener.IsClosed
            """).Ok();
        Assert.Equal(new object?[] { "Stopped", 3L, true }, SocketLifecycleTests.Normalize(result));
    }

    private static byte[] Receive(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = socket.Receive(buffer, got, count - got, SocketFlags.None);
            Assert.True(n > 0, "The server closed early.");
            got += n;
        }
        return buffer;
    }

    private static string? Property(object server, string name) => PSObject.AsPSObject(server).Properties[name].Value?.ToString();
}
