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
        Assert.Contains("another listener is on it", second.OnlyError.ToString());
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
}
