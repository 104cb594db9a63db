using System;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// PsSockets scripts against python3 peers written after the seeds (the socket HOWTO, the
/// courses), on loopback only. Every wait is on a peer's stdout line or a -Timeout, never a clock.
/// </summary>
public sealed class PythonInteropTests(PsSession ps) : IClassFixture<PsSession>, IDisposable
{
    private const int SixteenMiB = 16 * 1024 * 1024;
    private static readonly TimeSpan PeerWait = TimeSpan.FromSeconds(30);

    // A failed test must not leave sockets behind for the next one in the shared session.
    public void Dispose() => ps.Run("Get-Socket | Close-Socket");

    // ---- 1. PsSockets client, python echo server ------------------------------------------------

    [Theory]
    [InlineData("127.0.0.1", "4")]
    [InlineData("::1", "6")]
    public void ClientTalksToThePythonEchoServer(string address, string family)
    {
        using var server = PythonPeer.Listening("echo_server.py", family, "1");

        var result = ps.Run("""
            $c = Connect-Socket $args[0] $args[1] -Timeout 5
            $c.RemoteEndPoint.AddressFamily.ToString()
            # One line at a time, each echo read back with -Line (the newline is dropped).
            foreach ($line in 'plain ascii', 'accents é è ç à ü', 'euro € yen ¥', 'cjk 日本語, emoji 🎉🐍') {
                Send-SocketData $c "$line`n"
                Receive-SocketData $c -Line -Timeout 10
            }
            # -Count counts bytes, not characters.
            $word = 'naïve €5 🎉'
            Send-SocketData $c $word
            Receive-SocketData $c -Count ([System.Text.Encoding]::UTF8.GetByteCount($word)) -Timeout 10
            # Binary: every byte value, back as a byte[].
            Send-SocketData $c ([byte[]](0..255))
            Receive-SocketData $c -Count 256 -AsByteArray -Timeout 10
            # Several lines in one send: -Line takes the first, the rest stays buffered for -ToEnd.
            Send-SocketData $c "first`nsecond ✓`nthird, no newline"
            Receive-SocketData $c -Line -Timeout 10
            Disconnect-Socket $c -Direction Send          # shutdown(SHUT_WR): the server's recv returns 0
            Receive-SocketData $c -ToEnd -Timeout 10      # the rest, up to the server's close
            $c.State.ToString()
            Close-Socket $c
            """, address, server.Port).Ok();

        var values = result.Values.ToArray();
        Assert.Equal(10, values.Length);
        Assert.Equal(family == "6" ? "InterNetworkV6" : "InterNetwork", values[0]);
        Assert.Equal(new object?[] { "plain ascii", "accents é è ç à ü", "euro € yen ¥", "cjk 日本語, emoji 🎉🐍", "naïve €5 🎉" }, values[1..6]);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), Assert.IsType<byte[]>(values[6]));
        Assert.Equal("first", values[7]);
        Assert.Equal("second ✓\nthird, no newline", values[8]);
        Assert.Equal("Shutdown", values[9]);

        Assert.Equal("CLIENT DONE", server.ReadLine(PeerWait));
        Assert.Equal(0, server.WaitForExit(PeerWait));
    }

    // ---- 2. python client, PsSockets iterative echo server --------------------------------------

    [Theory]
    [InlineData("127.0.0.1", "4")]
    [InlineData("::1", "6")]
    public void PythonClientTalksToAPsSocketsEchoServer(string address, string family)
    {
        // The listener first, so the client has a port and its connect waits in the backlog;
        // then the serve loop runs here while python talks to it from its own process.
        int port = Convert.ToInt32(ps.Run("""
            $listener = Start-SocketListener -Port 0 -Address $args[0]
            $listener.LocalEndPoint.Port
            """, address).Ok().Single);
        using var client = PythonPeer.Start("client.py", port.ToString(), "echo", "50", family);

        var result = ps.Run("""
            $s = Wait-SocketConnection -Listener $listener -Timeout 10
            Close-Socket $listener
            $echoed = 0
            while ($true) {
                $line = Receive-SocketData $s -Line -Timeout 10 -ErrorAction SilentlyContinue -ErrorVariable recvError
                if ($recvError) { break }                 # recv returned 0: the client is done
                Send-SocketData $s "$line`n"
                $echoed++
            }
            $echoed
            $recvError[0].FullyQualifiedErrorId
            $s.State.ToString()
            Close-Socket $s                               # the client reads to the end: this is its EOF
            """).Ok();

        Assert.Equal(50, Convert.ToInt32(result.Output[0].BaseObject));
        Assert.StartsWith("PeerClosed,", (string)result.Output[1].BaseObject);
        Assert.Equal("ReceiveShutdown", result.Output[2].BaseObject);
        Assert.Equal("OK 50 rest 0", client.ReadLine(PeerWait));
        Assert.Equal(0, client.WaitForExit(PeerWait));
    }

    // ---- 3. 16 MiB, byte for byte, both directions ----------------------------------------------

    [Theory]
    [InlineData("chunks")]
    [InlineData("whole")]
    public void SixteenMiBUploadToAPythonSinkArrivesIntact(string how)
    {
        using var sink = PythonPeer.Listening("hash_sink_server.py");

        var result = ps.Run("""
            param($port, $how)
            $data = [byte[]]::new(16MB)
            [System.Random]::new(20240607).NextBytes($data)
            $c = Connect-Socket 127.0.0.1 $port -Timeout 5
            if ($how -eq 'whole') {
                Send-SocketData $c $data -Timeout 20      # one 16 MiB byte[]
            } else {
                & {                                       # 256 byte arrays of 64 KiB down the pipeline
                    for ($offset = 0; $offset -lt $data.Length; $offset += 64KB) {
                        $chunk = [byte[]]::new(64KB)
                        [Array]::Copy($data, $offset, $chunk, 0, 64KB)
                        , $chunk
                    }
                } | Send-SocketData $c -Timeout 20
            }
            $c.BytesSent
            Disconnect-Socket $c -Direction Send          # the sink's recv returns 0: it replies
            Receive-SocketData $c -ToEnd -Timeout 20
            [Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($data)).ToLowerInvariant()
            Close-Socket $c
            """, sink.Port, how).Ok();

        Assert.Equal(3, result.Output.Count);
        Assert.Equal((long)SixteenMiB, Convert.ToInt64(result.Output[0].BaseObject));
        string reply = (string)result.Output[1].BaseObject;
        string psHash = (string)result.Output[2].BaseObject;
        Assert.Equal($"{SixteenMiB} {psHash}\n", reply);
        Assert.Equal($"RECEIVED {SixteenMiB} {psHash}", sink.ReadLine(PeerWait));
        Assert.Equal(0, sink.WaitForExit(PeerWait));
    }

    [Fact]
    public void SixteenMiBDownloadFromAPythonSourceArrivesIntact()
    {
        using var source = PythonPeer.Listening("source_server.py", SixteenMiB.ToString(), "31");

        var result = ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            Receive-SocketData $c -ToEnd -AsByteArray -Timeout 20
            Close-Socket $c                               # the source waits for this close before it reports
            """, source.Port).Ok();

        var bytes = Assert.IsType<byte[]>(result.Single);
        Assert.Equal($"SENT {SixteenMiB} {Sha256Hex(bytes)}", source.ReadLine(PeerWait));
        Assert.Equal(SixteenMiB, bytes.Length);
        Assert.Equal(0, source.WaitForExit(PeerWait));
    }

    [Fact]
    public void SixteenMiBUploadFromAPythonClientArrivesIntact()
    {
        int port = Convert.ToInt32(ps.Run("""
            $listener = Start-SocketListener -Port 0
            $listener.LocalEndPoint.Port
            """).Ok().Single);
        using var client = PythonPeer.Start("client.py", port.ToString(), "upload", SixteenMiB.ToString());

        var result = ps.Run("""
            $s = Wait-SocketConnection -Listener $listener -Timeout 10
            Close-Socket $listener
            $sha = [System.Security.Cryptography.IncrementalHash]::CreateHash([System.Security.Cryptography.HashAlgorithmName]::SHA256)
            $size = 0; $receives = 0; $largest = 0
            while ($true) {
                # One recv at a time: whatever has arrived, up to 64 KiB.
                $chunk = Receive-SocketData $s -AsByteArray -Timeout 20 -ErrorAction SilentlyContinue -ErrorVariable recvError
                if ($recvError) { break }
                $sha.AppendData($chunk)
                $size += $chunk.Length
                $receives++
                if ($chunk.Length -gt $largest) { $largest = $chunk.Length }
            }
            $hex = [Convert]::ToHexString($sha.GetHashAndReset()).ToLowerInvariant()
            $sha.Dispose()
            Send-SocketData $s "$size $hex`n"
            Close-Socket $s
            $recvError[0].FullyQualifiedErrorId
            $size
            $hex
            $receives
            $largest
            """).Ok();

        Assert.StartsWith("PeerClosed,", (string)result.Output[0].BaseObject);
        long size = Convert.ToInt64(result.Output[1].BaseObject);
        string psHash = (string)result.Output[2].BaseObject;
        Assert.Equal(SixteenMiB, size);
        Assert.True(Convert.ToInt32(result.Output[3].BaseObject) >= SixteenMiB / (64 * 1024), "one receive returns at most 64 KiB");
        Assert.InRange(Convert.ToInt32(result.Output[4].BaseObject), 1, 64 * 1024);

        // python: "OK <size> <its sha256> REPLY <our size> <our sha256>"
        var words = client.ReadLine(PeerWait).Split(' ');
        Assert.Equal(new[] { "OK", SixteenMiB.ToString(), psHash, "REPLY", SixteenMiB.ToString(), psHash }, words);
        Assert.Equal(0, client.WaitForExit(PeerWait));
    }

    // ---- 4. "recv returning 0 means the peer closed" --------------------------------------------

    [Fact]
    public void WhenPythonHasClosedEveryReceiveSaysPeerClosed()
    {
        using var server = MisbehavingPeer.Listening("send:bye\\n", "close");
        ps.Run("$c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5", server.Port).Ok();
        server.Expect("ACCEPTED");
        server.Expect("SENT");
        server.Expect("CLOSED");   // python's close() is done: its FIN is on the way

        var result = ps.Run("""
            Receive-SocketData $c -Line -Timeout 5        # what was sent before the close still arrives
            Receive-SocketData $c -Timeout 5              # then recv returns 0: an error, not ''
            Receive-SocketData $c -Timeout 5              # and it stays that way
            Receive-SocketData $c -AsByteArray -Timeout 5
            Receive-SocketData $c -Line -Timeout 5
            Receive-SocketData $c -Count 1 -Timeout 5
            """);

        Assert.Null(result.Exception);
        Assert.Equal(new object?[] { "bye" }, result.Values);
        Assert.Equal(5, result.Errors.Count);
        foreach (var error in result.Errors)
        {
            AssertPeerClosed(error);
        }
        var state = ps.Run("$c.PeerClosed; $c.State.ToString(); $c.BytesBuffered; Close-Socket $c").Ok();
        Assert.Equal(new object?[] { true, "ReceiveShutdown", 0 }, state.Values);
    }

    [Fact]
    public void APendingReceiveEndsWithPeerClosedWhenPythonCloses()
    {
        using var server = MisbehavingPeer.Listening("read:13", "close");

        // python closes once it has our line; by then the receive below is (most likely) blocked in recv.
        var result = ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            Send-SocketData $c "please close`n"
            Receive-SocketData $c -Timeout 10
            Receive-SocketData $c -Timeout 10
            $c.State.ToString()
            Close-Socket $c
            """, server.Port);

        Assert.Null(result.Exception);
        Assert.Equal(new object?[] { "ReceiveShutdown" }, result.Values);
        Assert.Equal(2, result.Errors.Count);
        foreach (var error in result.Errors)
        {
            AssertPeerClosed(error);
        }
        server.Expect("ACCEPTED");
        server.Expect("READ");
        server.Expect("CLOSED");
    }

    [Fact]
    public void AResetIsNotAPeerClose()
    {
        // A socket that dies (RST, SO_LINGER 0) is not an orderly end of stream: recv fails with ECONNRESET.
        // python resets only once it has our line: a reset right after accept can beat the end of our connect.
        using var server = MisbehavingPeer.Listening("read:13", "reset");
        ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            Send-SocketData $c "please reset`n"
            """, server.Port).Ok();
        server.Expect("ACCEPTED");
        server.Expect("READ");
        server.Expect("RESET");

        var result = ps.Run("Receive-SocketData $c -Timeout 5; Close-Socket $c");

        Assert.Empty(result.Output);
        var error = result.OnlyError;
        Assert.StartsWith("ConnectionReset,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
    }

    private static void AssertPeerClosed(ErrorRecord error)
    {
        Assert.StartsWith("PeerClosed,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Equal("PsSockets.PsSocket", error.TargetObject?.GetType().FullName);   // the module is not referenced, only imported
        Assert.Contains("end of stream", error.Exception.Message);
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    // ---- The HOWTO's mysocket: fixed-length messages ------------------------------------------

    [Fact]
    public void FixedLengthMessagesGoBackAndForthWithTheHowtosMysocket()
    {
        // 5000-byte messages: more than the HOWTO's 2048-byte recv, so each arrives in pieces.
        using var server = PythonPeer.Listening("mysocket_server.py", "5000", "20");

        var result = ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            $rng = [Random]::new(5)
            $ok = 0
            for ($i = 0; $i -lt 20; $i++) {
                $message = [byte[]]::new(5000); $rng.NextBytes($message)
                Send-SocketData $c $message
                $back = Receive-SocketData $c -Count 5000 -AsByteArray -Timeout 10
                [Array]::Reverse($back)
                if ([Linq.Enumerable]::SequenceEqual($back, $message)) { $ok++ }
            }
            $ok
            $c.BytesBuffered
            """, server.Port).Ok();

        Assert.Equal(new object?[] { 20, 0 }, result.Values.ToArray());
        Assert.Equal("EXCHANGED 20", server.ReadLine(PeerWait));
    }
}
