using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Unix domain stream sockets by -Path: against python3 peers, with the file's life cycle.</summary>
public sealed class UnixSocketTests(PsSession ps) : SocketTestBase(ps), IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pssockets-{Guid.NewGuid().ToString("n")[..8]}.sock");

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConnectSocketPathTalksToAPythonUnixServer(bool abstractName)
    {
        string path = abstractName ? "@pssockets-test-" + Guid.NewGuid().ToString("n")[..8] : _path;
        using var server = PythonPeer.Listening("unix_peer.py", "echo-server", path);

        var result = Ps.Run("""
            $c = Connect-Socket -Path $args[0] -Timeout 5
            $c.Protocol; [PsSockets.PsSocket]::FormatEndPoint($c.RemoteEndPoint)
            'ping ✓' | Send-SocketData $c -Line
            Receive-SocketData $c -Line -Timeout 5
            Close-Socket $c
            """, path).Ok();

        Assert.Equal(new object?[] { "Unix", "unix:" + path, "ping ✓" }, result.Values);
        Assert.Equal("CLIENT DONE", server.ReadLine(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void StartSocketListenerPathServesAPythonClientAndRemovesItsFileWhenItCloses()
    {
        Ps.Run("$l = Start-SocketListener -Path $args[0]", _path).Ok();
        Assert.True(File.Exists(_path));
        using var client = PythonPeer.Start("unix_peer.py", "client", _path, "hello from python");

        var result = Ps.Run("""
            $s = Wait-SocketConnection $l -Timeout 5
            $line = Receive-SocketData $s -Line -Timeout 5
            Send-SocketData $s "echo: $line" -Line
            $line
            """).Ok();

        Assert.Equal("hello from python", result.Single);
        Assert.Equal("GOT echo: hello from python", client.ReadLine(TimeSpan.FromSeconds(10)));
        Ps.Run("Close-Socket $l").Ok();
        Assert.False(File.Exists(_path));
    }

    [Fact]
    public void AStaleSocketFileIsRefusedClearlyAndReplacedWithForce()
    {
        using (var crashed = PythonPeer.Start("unix_peer.py", "stale", _path))
        {
            Assert.Equal("STALE", crashed.ReadLine(TimeSpan.FromSeconds(10)));
        }
        Assert.True(File.Exists(_path));

        var refused = Ps.Run("Start-SocketListener -Path $args[0]", _path);
        AssertError(refused, "StaleSocketFile", ErrorCategory.ResourceExists, "StartSocketListenerCommand");
        Assert.Contains("-Force replaces it", refused.OnlyError.ToString());
        var connect = Ps.Run("Connect-Socket -Path $args[0] -Timeout 5", _path);
        AssertError(connect, "ConnectionRefused", ErrorCategory.ConnectionError, "ConnectSocketCommand");

        var result = Ps.Run("""
            $l = Start-SocketListener -Path $args[0] -Force
            $c = Connect-Socket -Path $args[0] -Timeout 5
            (Wait-SocketConnection $l -Timeout 5).State
            """, _path).Ok();
        Assert.Equal("Connected", result.Single!.ToString());
    }

    [Fact]
    public void AFileThatIsNotASocketIsNeverReplacedAndALiveListenerIsAddressInUse()
    {
        File.WriteAllText(_path, "precious");
        var notSocket = Ps.Run("Start-SocketListener -Path $args[0] -Force", _path);
        AssertError(notSocket, "AddressInUse", ErrorCategory.ResourceBusy, "StartSocketListenerCommand");
        Assert.Equal("precious", File.ReadAllText(_path));
        File.Delete(_path);

        Ps.Run("$first = Start-SocketListener -Path $args[0]", _path).Ok();
        var second = Ps.Run("Start-SocketListener -Path $args[0] -Force", _path);
        AssertError(second, "AddressInUse", ErrorCategory.ResourceBusy, "StartSocketListenerCommand");
        Assert.Contains("another socket is bound to it and alive", second.OnlyError.ToString());
    }

    [Fact]
    public void ABusyListenerWithAFullBacklogIsAddressInUseNotAHang()
    {
        using var busy = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        var endPoint = new System.Net.Sockets.UnixDomainSocketEndPoint(_path);
        busy.Bind(endPoint);
        busy.Listen(0);
        var fillers = new System.Collections.Generic.List<System.Net.Sockets.Socket>();
        try
        {
            for (bool full = false; !full && fillers.Count < 16;)
            {
                var filler = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified) { Blocking = false };
                fillers.Add(filler);
                try
                {
                    filler.Connect(endPoint);
                }
                catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.WouldBlock)
                {
                    full = true; // the next connect would wait for room: the backlog is full
                }
            }

            var result = Ps.Run("Start-SocketListener -Path $args[0] -Force", _path);

            AssertError(result, "AddressInUse", ErrorCategory.ResourceBusy, "StartSocketListenerCommand");
            Assert.True(File.Exists(_path));
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public void PathsTheSystemCannotTakeAreClearErrors()
    {
        string tooLong = Path.Combine(Path.GetTempPath(), new string('x', 120) + ".sock");
        var listen = Ps.Run("Start-SocketListener -Path $args[0]", tooLong);
        AssertError(listen, "InvalidArgument", ErrorCategory.InvalidArgument, "StartSocketListenerCommand");
        Assert.Contains("the system allows 107", listen.OnlyError.ToString());
        var connect = Ps.Run("Connect-Socket -Path $args[0]", tooLong);
        AssertError(connect, "InvalidArgument", ErrorCategory.InvalidArgument, "ConnectSocketCommand");

        var missing = Ps.Run("Connect-Socket -Path $args[0] -Timeout 5", _path);
        AssertError(missing, "AddressNotAvailable", ErrorCategory.InvalidArgument, "ConnectSocketCommand");
        Assert.Contains("no socket file at that path", missing.OnlyError.ToString());
        Assert.Empty(Ps.Run("Get-Socket").Ok().Output);
    }

    [Fact]
    public void AUnixDatagramClientTalksToAPythonDatagramServer()
    {
        using var server = PythonPeer.Listening("udp_peer.py", "unix-server", _path);

        var result = Ps.Run("""
            $u = Connect-Socket -Path $args[0] -Datagram -Timeout 5
            $u.Protocol; [PsSockets.PsSocket]::FormatEndPoint($u.RemoteEndPoint)
            'one', 'two ✓', 'quit' | Send-SocketData $u
            1..3 | ForEach-Object { (Receive-SocketData $u -Timeout 5).Text }
            [PsSockets.PsSocket]::FormatEndPoint($u.LocalEndPoint)
            """, _path).Ok().Values.ToList();

        Assert.Equal(new object?[] { "UnixDgram", "unix:" + _path, "echo:one", "echo:two ✓", "echo:quit" }, result.Take(5));
        Assert.StartsWith("unix:@", result[5]?.ToString()); // the name the kernel gave it, so the server could answer
        Assert.Equal(0, server.WaitForExit(Seconds(10)));
    }

    [Fact]
    public void AUnixDatagramServerAnswersAPythonClientByItsNameAndRemovesItsFile()
    {
        Ps.Run("$d = Start-SocketListener -Path $args[0] -Datagram", _path).Ok();
        using var client = PythonPeer.Start("udp_peer.py", "unix-client", _path, "hello ✓");

        var result = Ps.Run("""
            $m = Receive-SocketData $d -Timeout 10
            Send-SocketData $d "echo:$($m.Text)" -To $m.RemoteEndPoint
            $m.Text; [PsSockets.PsSocket]::FormatEndPoint($m.RemoteEndPoint); $d.State
            """).Ok().Values.ToList();

        Assert.Equal("hello ✓", result[0]);
        Assert.StartsWith("unix:@pssockets-python-", result[1]?.ToString());
        Assert.Equal("Bound", result[2]?.ToString());
        Assert.Equal("GOT echo:hello ✓", client.ReadLine(Seconds(10)));
        Ps.Run("Close-Socket $d").Ok();
        Assert.False(File.Exists(_path));
    }

    [Fact]
    public void NewSocketPathBindsStreamAndDatagramSocketsThatTalkByTheirPaths()
    {
        string clientPath = _path + ".client";
        try
        {
            var result = Ps.Run("""
                $server = Start-SocketListener -Path $args[0]
                $c = New-Socket -Path $args[1] | Connect-Socket -Path $args[0] -Timeout 5
                $s = Wait-SocketConnection $server -Timeout 5
                [PsSockets.PsSocket]::FormatEndPoint($s.RemoteEndPoint); $c.State
                Get-Socket | Close-Socket
                $a = New-Socket -Path $args[0] -Type Dgram
                $b = New-Socket -Path $args[1] -Type Dgram
                Send-SocketData $a 'by path' -To "unix:$($args[1])"
                $m = Receive-SocketData $b -Timeout 5
                $m.Text; [PsSockets.PsSocket]::FormatEndPoint($m.RemoteEndPoint)
                Send-SocketData $b 'back' -To $m
                (Receive-SocketData $a -Timeout 5).Text
                """, _path, clientPath).Ok();

            Assert.Equal(new object?[] { "unix:" + clientPath, "Connected", "by path", "unix:" + _path, "back" }, result.Values.Select(v => v is Enum ? v.ToString() : v));
            Ps.Run("Get-Socket | Close-Socket").Ok();
            Assert.False(File.Exists(_path));
            Assert.False(File.Exists(clientPath));
        }
        finally
        {
            File.Delete(clientPath);
        }
    }

    [Fact]
    public void UnixDatagramMisuseIsAClearError()
    {
        string tooLong = Path.Combine(Path.GetTempPath(), new string('x', 120) + ".sock");
        var bind = Ps.Run("New-Socket -Path $args[0] -Type Dgram", tooLong);
        AssertError(bind, "InvalidArgument", ErrorCategory.InvalidArgument, "NewSocketCommand");
        Assert.Contains("the system allows 107", bind.OnlyError.ToString());

        var toIp = Ps.Run("$d = New-Socket -Path $args[0] -Type Dgram; Send-SocketData $d 'x' -To 127.0.0.1:9", _path);
        AssertError(toIp, "InvalidArgument", ErrorCategory.InvalidArgument, "SendSocketDataCommand");
        Assert.Contains("that is an IP endpoint", toIp.OnlyError.ToString());

        var nobody = Ps.Run("Send-SocketData $d 'x' -To 'unix:/nonexistent/pssockets.sock'");
        Assert.Contains("unix:/nonexistent/pssockets.sock", nobody.OnlyError.ToString());

        var portOnUnix = Ps.Run("New-Socket -AddressFamily Unix -LocalPort 80");
        AssertError(portOnUnix, "InvalidArgument", ErrorCategory.InvalidArgument, "NewSocketCommand");
        Assert.Contains("a unix socket binds to a path (-Path)", portOnUnix.OnlyError.ToString());
    }

    [Fact]
    public void ADatagramFromAnUnnamedSocketHasNoSenderAndAnsweringItIsAClearError()
    {
        Ps.Run("$d = Start-SocketListener -Path $args[0] -Datagram", _path).Ok();
        using (var python = PythonPeer.Start("udp_peer.py", "unix-unnamed", _path, "anonymous"))
        {
            Assert.Equal("SENT", python.ReadLine(Seconds(10)));
        }

        var result = Ps.Run("""
            $m = Receive-SocketData $d -Timeout 5
            $m.Text; $null -eq $m.RemoteEndPoint
            Send-SocketData $d 'back' -To $m
            """);
        Assert.Equal(new object?[] { "anonymous", true }, result.Values);
        Assert.Contains("unnamed unix socket", result.OnlyError.ToString());
    }

    [Fact]
    public void AnUnconnectedSenderFacingAFullReceiverTimesOutInsteadOfSpinning()
    {
        // poll(2) cannot see an unconnected unix receiver's queue: it says writable while sendto says EAGAIN.
        var result = Ps.Run("""
            $full = New-Socket -Path $args[0] -Type Dgram
            $u = New-Socket -AddressFamily Unix -Type Dgram
            $to = "unix:$($args[0])"
            $watch = [Diagnostics.Stopwatch]::StartNew()
            try { 1..1000 | ForEach-Object { Send-SocketData $u 'x' -To $to -Timeout 0.5 -ErrorAction Stop } } catch { $_.FullyQualifiedErrorId }
            $watch.Elapsed.TotalSeconds -lt 5
            """, _path).Ok();
        Assert.Equal(new object?[] { "OperationTimeout,PsSockets.Commands.SendSocketDataCommand", true }, result.Values);

        Ps.Set("path", _path);
        var outcome = Ps.RunAndStop("""$ready.Set(); 1..1000 | ForEach-Object { Send-SocketData $u 'x' -To "unix:$path" }""");
        AssertStoppedPromptly(outcome);
    }

    [Fact]
    public void SendingToAUnixPathWithNoSocketSaysWhy()
    {
        using (var crashed = PythonPeer.Start("unix_peer.py", "stale", _path))
        {
            Assert.Equal("STALE", crashed.ReadLine(TimeSpan.FromSeconds(10)));
        }
        var stale = Ps.Run("$u = New-Socket -AddressFamily Unix -Type Dgram; Send-SocketData $u 'x' -To \"unix:$($args[0])\"", _path);
        AssertError(stale, "ConnectionRefused", ErrorCategory.ConnectionError, "SendSocketDataCommand");
        Assert.Contains("no socket is bound to that path any more", stale.OnlyError.ToString());

        var missing = Ps.Run("Send-SocketData $u 'x' -To 'unix:/tmp/pssockets-no-such-file.sock'");
        Assert.Contains("no socket file at that path", missing.OnlyError.ToString());
    }
}
