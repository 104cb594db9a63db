using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Non-blocking sockets as the seeds use them with select: calls that would wait return instead (a
/// receive returns nothing, an accept returns nothing, a connect only starts, a send says how much
/// went), and Select-Socket finishes or reports what they started.
/// </summary>
public sealed class NonBlockingTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void AReceiveWithNothingToReadReturnsNothingAtOnceAndVerboseSaysItWouldBlock()
    {
        var result = WithPair("""
            Set-SocketOption $s Blocking $false
            $s.Timeout = 30                                  # a blocking receive would wait this long
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $got = Receive-SocketData $s -Verbose 4>&1
            $sw.Elapsed.TotalSeconds -lt 5
            $got.Count; $got[0] -is [System.Management.Automation.VerboseRecord]; $got[0].Message
            Send-SocketData $c "hello"
            $null = Select-Socket -Read $s -Timeout 5
            Receive-SocketData $s
            """).Ok();
        var values = result.Values.ToList();
        Assert.Equal(new object?[] { true, 1, true }, values.Take(3));
        Assert.StartsWith("recv(#", (string)values[3]!);
        Assert.Contains("would block (EWOULDBLOCK)", (string)values[3]!);
        Assert.Contains("nothing has arrived", (string)values[3]!);
        Assert.Equal("hello", values[4]);
    }

    [Fact]
    public void ACallWithATimeoutOfItsOwnStillWaitsOnANonBlockingSocket()
    {
        var result = WithPair("""
            Set-SocketOption $s Blocking $false
            Receive-SocketData $s -Timeout 0.3
            """);
        AssertError(result, "OperationTimeout", ErrorCategory.OperationTimeout, "ReceiveSocketDataCommand");
    }

    [Fact]
    public void APartialMessageStaysBufferedAndSelectWaitsForTheRestInsteadOfSpinning()
    {
        var result = WithPair("""
            Set-SocketOption $s Blocking $false
            Send-SocketData $c "hel"
            (Select-Socket -Read $s -Timeout 5).Read.Count
            Receive-SocketData $s -Line
            $s.BytesBuffered
            (Select-Socket -Read $s -Timeout 0.2).TimedOut   # the 3 bytes are not a line: nothing to read yet
            Send-SocketData $c "lo`nmore"
            (Select-Socket -Read $s -Timeout 5).Read.Count
            Receive-SocketData $s -Line
            (Select-Socket -Read $s -Timeout 0).Read.Count    # "more" was never looked at by a -Line receive
            """).Ok();
        Assert.Equal(new object?[] { 1, 3, true, 1, "hello", 1 }, result.Values);
    }

    [Fact]
    public void ANonBlockingConnectStartsAndSelectWriteReportsItConnected()
    {
        // A listener whose backlog is full drops the SYN, so the connect stays under way until room is made.
        var result = Ps.Run("""
            $full = Start-SocketListener -Port 0 -Backlog 1
            $port = $full.LocalEndPoint.Port
            $fillers = for ($i = 0; $i -lt 8; $i++) {
                $f = Connect-Socket 127.0.0.1 $port -Timeout 0.3 -ErrorAction SilentlyContinue -ErrorVariable hung
                if ($hung) { break }
                $f
            }
            $c = New-Socket -NonBlocking | Connect-Socket -ComputerName 127.0.0.1 -Port $port
            $c.State
            (Select-Socket -Write $c -Timeout 0.2).TimedOut
            Send-SocketData $c "x" -ErrorAction SilentlyContinue -ErrorVariable early
            $early[0].FullyQualifiedErrorId
            while (Wait-SocketConnection $full -Timeout 0.2 -ErrorAction SilentlyContinue) { }   # room in the backlog
            $r = Select-Socket -Write $c -Timeout 10                                              # the SYN is sent again
            $r.Write.Count; [object]::ReferenceEquals($r.Write[0], $c)
            $c.State; $c.RemoteEndPoint.Port -eq $port
            """).Ok();
        Assert.Equal(new object?[] { "Connecting", true, "WouldBlock,PsSockets.Commands.SendSocketDataCommand", 1, true, "Connected", true },
            SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void ARefusedNonBlockingConnectLandsInErrorWithConnectionRefused()
    {
        var result = Ps.Run("""
            $dead = Start-SocketListener -Port 0; $deadPort = $dead.LocalEndPoint.Port; Close-Socket $dead
            $c = New-Socket -NonBlocking | Connect-Socket -ComputerName 127.0.0.1 -Port $deadPort
            $r = Select-Socket -Write $c -Timeout 5
            $r.Write.Count; $r.Error.Count; [object]::ReferenceEquals($r.Error[0], $c)
            $c.State; $c.LastError.ErrorId; $c.LastError.Message -like "*127.0.0.1:$deadPort*refused*"
            """).Ok();
        Assert.Equal(new object?[] { 0, 1, true, "Failed", "ConnectionRefused", true }, SocketLifecycleTests.Normalize(result));

        var send = Ps.Run("Send-SocketData $c 'x'");
        AssertError(send, "ConnectionRefused", ErrorCategory.ConnectionError, "SendSocketDataCommand");
        Assert.Contains("failed earlier", send.OnlyError.ToString());
        var again = Ps.Run("Connect-Socket -Socket $c 127.0.0.1 $deadPort");
        AssertError(again, "ConnectionRefused", ErrorCategory.ConnectionError, "ConnectSocketCommand");
        Assert.Contains("only Close-Socket is left", again.OnlyError.ToString());
    }

    [Fact]
    public void APeerThatResetsBeforeTheConnectIsLookedAtLeavesItConnectedAndFailedWithConnectionReset()
    {
        // ECONNRESET in SO_ERROR can only follow a finished handshake: the connect worked, and the connection died at once.
        using var peer = MisbehavingPeer.Listening("reset");
        Ps.Run("$c = New-Socket -NonBlocking | Connect-Socket -ComputerName 127.0.0.1 -Port $args[0] -Trace", peer.Port).Ok();
        peer.Expect("ACCEPTED");
        peer.Expect("RESET");
        var result = Ps.Run("""
            $c.State; $c.LastError.ErrorId; [PsSockets.PsSocket]::FormatEndPoint($c.RemoteEndPoint)
            $c.LastError.Message -like '*connected, and the peer reset the connection at once*'
            (Get-SocketTrace $c).Event -join ','
            """).Ok();
        Assert.Equal(new object?[] { "Failed", "ConnectionReset", $"127.0.0.1:{peer.Port}", true, "Connect,Failure" }, SocketLifecycleTests.Normalize(result));

        var receive = Ps.Run("Receive-SocketData $c -Timeout 5");
        AssertError(receive, "ConnectionReset", ErrorCategory.ConnectionError, "ReceiveSocketDataCommand");
        Assert.Contains("failed earlier", receive.OnlyError.ToString());
    }

    [Fact]
    public void ANonBlockingListenerReturnsNothingWithoutAClientAndHandsOnItsMode()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0 -Option @{ Blocking = $false } -Timeout 30
            $got = Wait-SocketConnection $l -Verbose 4>&1
            $got.Count; $got[0].Message; $got[1].Message
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            (Select-Socket -Read $l -Timeout 5).Read.Count
            $s = Wait-SocketConnection $l
            $s.State; $s.IsNonBlocking; (Get-SocketOption $s Blocking).Value
            """).Ok();
        var values = SocketLifecycleTests.Normalize(result);
        Assert.Equal(2, values[0]);
        Assert.Matches(@"^accept\(#\d+\) failed: EWOULDBLOCK in \d+\.\d ms$", (string)values[1]!);
        Assert.Matches(@"is non-blocking and no connection is waiting: nothing to output\.$", (string)values[2]!);
        Assert.Equal(new object?[] { 1, "Connected", true, false }, values.Skip(3));
    }

    [Fact]
    public void ANonBlockingSendSendsWhatFitsAndSaysHowManyBytesWent()
    {
        var result = WithPair("""
            $s.Socket.ReceiveBufferSize = 4096; $c.Socket.SendBufferSize = 4096
            Set-SocketOption $c Blocking $false
            Send-SocketData $c ([byte[]]::new(16MB)) -ErrorAction SilentlyContinue -ErrorVariable full
            $full.Count; $full[0].FullyQualifiedErrorId; $full[0].CategoryInfo.Category; [object]::ReferenceEquals($full[0].TargetObject, $c)
            $sent = $full[0].Exception.BytesSent
            $sent -gt 0; $sent -lt 16MB; $full[0].Exception.Message -like "*By then the first $sent of 16777216 bytes had been sent."
            (Receive-SocketData $s -Count $sent -AsByteArray -Timeout 10).Length -eq $sent
            (Select-Socket -Read $s -Timeout 0.2).TimedOut                                         # not a byte more
            """).Ok();
        Assert.Equal(new object?[] { 1, "WouldBlock,PsSockets.Commands.SendSocketDataCommand", "ResourceUnavailable", true, true, true, true, true, true },
            SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void TheBlockingOptionSwitchesTheModeBothWays()
    {
        var result = WithPair("""
            Set-SocketOption $s Blocking $false
            (Get-SocketOption $s Blocking).Value; $s.IsNonBlocking
            $null -eq (Receive-SocketData $s)
            Set-SocketOption $s Blocking $true
            (Get-SocketOption $s Blocking).Value; $s.IsNonBlocking
            $n = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Option @{ Blocking = $false }
            $n.State; $n.IsNonBlocking
            Receive-SocketData $s -Timeout 0.2
            """);
        AssertError(result, "OperationTimeout", ErrorCategory.OperationTimeout, "ReceiveSocketDataCommand");
        Assert.Equal(new object?[] { false, true, true, true, false, "Connected", true }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void ANonBlockingDatagramSocketWithNoDatagramReturnsNothing()
    {
        var result = Ps.Run("""
            $u = New-Socket -Type Dgram -LocalPort 0 -NonBlocking
            $got = Receive-SocketData $u -Verbose 4>&1
            $got.Count; $got[0].Message -like '*would block (EWOULDBLOCK)*no datagram is waiting*'
            $v = New-Socket -Type Dgram
            Send-SocketData $v "ping" -To $u.LocalEndPoint
            $null = Select-Socket -Read $u -Timeout 5
            (Receive-SocketData $u).Text
            """).Ok();
        Assert.Equal(new object?[] { 1, true, "ping" }, result.Values);
    }
}
