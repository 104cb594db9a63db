using System;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>UDP with the same cmdlets as TCP: sendto, recvfrom, connected datagram sockets, against python3 peers.</summary>
public sealed class DatagramTests(PsSession ps) : SocketTestBase(ps)
{
    [Theory]
    [InlineData("127.0.0.1", "InterNetwork")]
    [InlineData("::1", "InterNetworkV6")]
    public void SendToAndReceiveFromTalkToAPythonServerThatSeesOurSourcePort(string host, string family)
    {
        using var server = PythonPeer.Listening("udp_peer.py", "server", host);

        var result = Ps.Run("""
            $u = New-Socket -Type Dgram -AddressFamily $args[1]
            Send-SocketData $u "hello ✓" -To "$(if ($args[0] -like '*:*') { "[$($args[0])]" } else { $args[0] }):$($args[2])"
            $d = Receive-SocketData $u -Timeout 5
            $d.GetType().FullName; $d.Text; $d.Length; $d.RemoteEndPoint.Port; $u.LocalEndPoint.Port
            $u.Protocol; $u.State
            """, host, family, server.Port).Ok().Values.ToList();

        Assert.Equal("PsSockets.Datagram", result[0]);
        Assert.Equal("echo:hello ✓", result[1]);
        Assert.Equal("echo:hello ✓"u8.Length, result[2]);
        Assert.Equal(server.Port, result[3]);
        Assert.Equal($"FROM {result[4]} {"hello ✓"u8.Length}", server.ReadLine(Seconds(10)));
        Assert.Equal("Udp", result[5]);
        Assert.Equal("Bound", result[6]?.ToString());
    }

    [Fact]
    public void AConnectedUdpSocketSendsPlainlyAndHearsOnlyItsPeer()
    {
        using var server = PythonPeer.Listening("udp_peer.py", "server", "127.0.0.1");

        var result = Ps.Run("""
            $u = Connect-Socket 127.0.0.1 $args[0] -Udp
            $u.State; $u.Protocol
            'one', 'two' | Send-SocketData $u
            (Receive-SocketData $u -Timeout 5).Text
            (Receive-SocketData $u -Timeout 5 -AsByteArray).Length
            $stranger = New-Socket -Type Dgram
            Send-SocketData $stranger 'not the peer' -To $u.LocalEndPoint
            Send-SocketData $u quit
            (Receive-SocketData $u -Timeout 5).Text
            $u.LocalEndPoint.Port
            """, server.Port).Ok().Values.ToList();

        Assert.Equal(new object?[] { "Connected", "Udp", "echo:one", 8, "echo:quit" }, result.Take(5).Select(v => v is Enum ? v.ToString() : v));
        int ourPort = Convert.ToInt32(result[5]);
        Assert.Equal($"FROM {ourPort} 3", server.ReadLine(Seconds(10)));
        Assert.Equal($"FROM {ourPort} 3", server.ReadLine(Seconds(10)));
        Assert.Equal($"FROM {ourPort} 4", server.ReadLine(Seconds(10)));
    }

    [Fact]
    public void InvokeSocketRequestOnAConnectedUdpSocketSendsOneDatagramAndReturnsTheAnswer()
    {
        using var server = PythonPeer.Listening("udp_peer.py", "server", "127.0.0.1");

        var result = Ps.Run("""
            $u = Connect-Socket 127.0.0.1 $args[0] -Udp
            'ping', 'pong' | Invoke-SocketRequest $u -Timeout 5
            (Invoke-SocketRequest $u ([byte[]](0, 255)) -AsByteArray -Timeout 5).Length
            Invoke-SocketRequest $u quit -Timeout 5
            """, server.Port).Ok();

        Assert.Equal(new object?[] { "echo:ping", "echo:pong", 7, "echo:quit" }, result.Values);
        var framed = Ps.Run("Invoke-SocketRequest $u 'x' -Line -Timeout 1");
        AssertError(framed, "InvalidArgument", ErrorCategory.InvalidArgument, "InvokeSocketRequestCommand");
        Assert.Contains("the request is one datagram", framed.OnlyError.ToString());
    }

    [Fact]
    public void TheIssuesOneLineEchoServerAnswersAPythonClientUntilCtrlC()
    {
        Ps.Run("$u = Start-SocketListener -Udp -Port 0").Ok();
        int port = Convert.ToInt32(Ps.Run("$u.LocalEndPoint.Port").Ok().Single);
        using var client = PythonPeer.Start("udp_peer.py", "client", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "20");
        string? report = null;

        var outcome = Ps.RunAndStop("""
            $ready.Set()
            Receive-SocketData $u -Continuous | ForEach-Object { Send-SocketData $u $_.Data -To $_.RemoteEndPoint }
            """, stopWhen: () => (report = client.ReadLine(Seconds(20))) is not null);

        AssertStoppedPromptly(outcome);
        Assert.Equal("OK 21 FROM " + port, report);
        Assert.Equal(0, client.WaitForExit(Seconds(10)));
    }

    [Fact]
    public void EachMessageIsOneDatagramFramedInsideIt()
    {
        var result = Ps.Run("""
            $r = Start-SocketListener -Udp -Port 0
            $u = New-Socket -Type Dgram
            'a', 'bb', 'ccc' | Send-SocketData $u -To $r.LocalEndPoint
            [byte[]](1..5) | Send-SocketData $u -To $r.LocalEndPoint
            Send-SocketData $u 'framed' -To $r.LocalEndPoint -LengthPrefix 2 -Line
            Send-SocketData $u '' -To $r.LocalEndPoint
            1..6 | ForEach-Object { $d = Receive-SocketData $r -Timeout 5; "$($d.Length):$([BitConverter]::ToString($d.Data))" }
            $r.BytesReceived; $u.BytesSent
            """).Ok();

        Assert.Equal(new object?[] { "1:61", "2:62-62", "3:63-63-63", "5:01-02-03-04-05", "9:00-06-66-72-61-6D-65-64-0A", "0:", 20L, 20L }, result.Values);
    }

    [Fact]
    public void ADatagramLongerThanTheBufferIsReportedAsTruncatedAndTheNextArrivesWhole()
    {
        var result = Ps.Run("""
            $r = Start-SocketListener -Udp -Port 0
            $u = New-Socket -Type Dgram
            Send-SocketData $u ([byte[]]::new(3000)) -To $r.LocalEndPoint
            Send-SocketData $u ([byte[]]::new(65507)) -To $r.LocalEndPoint
            Receive-SocketData $r -BufferSize 1000 -Timeout 5
            $cut = $Error[0].TargetObject
            $cut.GetType().Name; $cut.Truncated; $cut.Length; $cut.SentLength
            (Receive-SocketData $r -Timeout 5).Length
            """);

        Assert.Equal(new object?[] { "Datagram", true, 1000, 3000, 65507 }, result.Values);
        AssertError(result, "DatagramTruncated", ErrorCategory.InvalidData, "ReceiveSocketDataCommand");
        Assert.Contains("cut to its first 1000 bytes of 3000", result.OnlyError.ToString());
    }

    [Fact]
    public void PeekLeavesTheDatagramForTheNextReceive()
    {
        var result = Ps.Run("""
            $r = Start-SocketListener -Udp -Port 0
            $u = New-Socket -Type Dgram
            'first', 'second' | Send-SocketData $u -To $r.LocalEndPoint
            (Receive-SocketData $r -Peek -Timeout 5).Text
            (Receive-SocketData $r -Timeout 5).Text
            (Receive-SocketData $r -Timeout 5).Text
            """).Ok();

        Assert.Equal(new object?[] { "first", "first", "second" }, result.Values);
    }

    [Fact]
    public void SendToAnUnresolvableNameIsHostNotFoundAndSendsNothing()
    {
        var result = Ps.Run("""
            $r = Start-SocketListener -Udp -Port 0
            $u = New-Socket -Type Dgram
            'a', 'b' | Send-SocketData $u -To 'no-such-host.invalid:9'
            $u.BytesSent
            """);

        Assert.Equal(new object?[] { 0L }, result.Values);
        AssertError(result, "HostNotFound", ErrorCategory.ObjectNotFound, "SendSocketDataCommand");
        Assert.Contains("no-such-host.invalid", result.OnlyError.ToString());
    }

    [Theory]
    [InlineData("$u = New-Socket -Type Dgram; Send-SocketData $u 'x'", "NotConnected", ErrorCategory.InvalidOperation, "SendSocketDataCommand", "needs a destination (-To host:port)")]
    [InlineData("$u = New-Socket -Type Dgram; Send-SocketData $u 'x' -To 127.0.0.1", "InvalidArgument", ErrorCategory.InvalidArgument, "SendSocketDataCommand", "a destination needs a port")]
    [InlineData("$u = New-Socket -Type Dgram; Send-SocketData $u ([byte[]]::new(70000)) -To 127.0.0.1:9", "MessageTooLarge", ErrorCategory.LimitsExceeded, "SendSocketDataCommand", "larger than one datagram can carry")]
    [InlineData("$u = New-Socket -Type Dgram; Send-SocketData $u 'x' -To '[::1]:9'", "InvalidArgument", ErrorCategory.InvalidArgument, "SendSocketDataCommand", "::1 is an IPv6 address")]
    [InlineData("$u = New-Socket -Type Dgram; Send-SocketData $u 'x' -To 'unix:/tmp/x.sock'", "InvalidArgument", ErrorCategory.InvalidArgument, "SendSocketDataCommand", "that is a unix path")]
    [InlineData("$u = New-Socket -Type Dgram; Receive-SocketData $u -Timeout 1", "NotBound", ErrorCategory.InvalidOperation, "ReceiveSocketDataCommand", "has no address yet")]
    [InlineData("$u = Start-SocketListener -Udp -Port 0; Receive-SocketData $u -Line -Timeout 1", "InvalidArgument", ErrorCategory.InvalidArgument, "ReceiveSocketDataCommand", "it is a datagram socket")]
    [InlineData("$u = Start-SocketListener -Udp -Port 0; Receive-SocketData $u -Count 4 -OutFile ([IO.Path]::GetTempFileName()) -Timeout 1", "InvalidArgument", ErrorCategory.InvalidArgument, "ReceiveSocketDataCommand", "it is a datagram socket")]
    [InlineData("$u = Connect-Socket 127.0.0.1 9 -Udp; Send-SocketData $u -Path ([IO.Path]::GetTempFileName())", "InvalidArgument", ErrorCategory.InvalidArgument, "SendSocketDataCommand", "files and streams do not fit")]
    [InlineData("$u = Start-SocketListener -Udp -Port 0; Wait-SocketConnection $u -Timeout 1", "NotListening", ErrorCategory.InvalidOperation, "WaitSocketConnectionCommand", "")]
    public void DatagramMisuseIsAClearError(string script, string errorId, ErrorCategory category, string command, string says)
    {
        var result = Ps.Run(script);
        AssertError(result, errorId, category, command);
        Assert.Contains(says, result.OnlyError.ToString());
    }

    [Fact]
    public void ToOnAStreamSocketIsRefusedAtOnce()
    {
        var result = WithPair("Send-SocketData $c 'x' -To 127.0.0.1:9");
        AssertError(result, "ToOnStreamSocket", ErrorCategory.InvalidArgument, "SendSocketDataCommand");
    }

    [Fact]
    public void AConnectedUdpSocketHearsThatNobodyListensAsConnectionRefused()
    {
        var result = Ps.Run("""
            $closed = Start-SocketListener -Udp -Port 0; $port = $closed.LocalEndPoint.Port; Close-Socket $closed
            $u = Connect-Socket 127.0.0.1 $port -Udp
            Send-SocketData $u 'anyone?'
            Receive-SocketData $u -Timeout 5
            $u.IsClosed
            """);
        Assert.Equal(new object?[] { false }, result.Values);
        AssertError(result, "ConnectionRefused", ErrorCategory.ConnectionError, "ReceiveSocketDataCommand");
    }

    [Fact]
    public void ReceiveWaitsForADatagramOnlyAsLongAsTheTimeoutAndCtrlCStopsIt()
    {
        var timedOut = Ps.Run("$u = Start-SocketListener -Udp -Port 0; Receive-SocketData $u -Timeout 0.2");
        AssertError(timedOut, "OperationTimeout", ErrorCategory.OperationTimeout, "ReceiveSocketDataCommand");

        var outcome = Ps.RunAndStop("$ready.Set(); Receive-SocketData $u");
        AssertStoppedPromptly(outcome);
        Assert.Equal(new object?[] { "still usable" }, Ps.Run("""
            $v = New-Socket -Type Dgram; Send-SocketData $v 'still usable' -To $u.LocalEndPoint
            (Receive-SocketData $u -Timeout 5).Text
            """).Ok().Values);
    }

    [Fact]
    public void MulticastOnTheLoopbackInterfaceReachesPythonAndComesFromIt()
    {
        const string group = "239.255.77.41";
        using var receiver = PythonPeer.Listening("udp_peer.py", "mcast-receive", group);

        var result = Ps.Run("""
            $m = Start-SocketListener -MulticastGroup $args[0] -Port 0
            "$($m.MulticastGroups)"; $m.Protocol
            Send-SocketData $m 'to the group' -To "$($args[0]):$($args[1])"
            $m.LocalEndPoint.Port
            """, group, receiver.Port).Ok().Values.ToList();
        Assert.Equal(group, result[0]);
        Assert.Equal("GOT to the group", receiver.ReadLine(Seconds(10)));

        using var sender = PythonPeer.Start("udp_peer.py", "mcast-send", group, result[2]!.ToString()!, "from python");
        Assert.Equal("SENT", sender.ReadLine(Seconds(10)));
        Assert.Equal(new object?[] { "from python" }, Ps.Run("(Receive-SocketData $m -Timeout 5).Text").Ok().Values);
    }

    [Fact]
    public void AMulticastGroupMustBeAMulticastAddress()
    {
        var result = Ps.Run("Start-SocketListener -MulticastGroup 127.0.0.1 -Port 0");
        AssertError(result, "InvalidArgument", ErrorCategory.InvalidArgument, "StartSocketListenerCommand");
        Assert.Contains("not a multicast address", result.OnlyError.ToString());
        Assert.Empty(Ps.Run("Get-Socket").Ok().Values);
    }

    [Fact]
    public void SelectSocketSeesWhichDatagramSocketHasADatagramWaiting()
    {
        var result = Ps.Run("""
            $quiet = Start-SocketListener -Udp -Port 0 -Name quiet
            $busy = Start-SocketListener -Udp -Port 0 -Name busy
            $u = New-Socket -Type Dgram
            Send-SocketData $u 'wake up' -To $busy.LocalEndPoint
            (Select-Socket -Read $quiet, $busy -Timeout 5).Read.Name
            (Select-Socket -Write $u -Timeout 5).Write.Count
            """).Ok();
        Assert.Equal(new object?[] { "busy", 1 }, result.Values);
    }

    [Fact]
    public void AnErrorQueueThatRecvDoesNotDrainEndsInATimeoutNotASpin()
    {
        // IP_RECVERR keeps POLLERR up for the error queue while recv says EAGAIN.
        var result = Ps.Run("""
            $closed = Start-SocketListener -Udp -Port 0; $port = $closed.LocalEndPoint.Port; Close-Socket $closed
            $u = Connect-Socket 127.0.0.1 $port -Udp
            Set-SocketOption $u -Level IP -OptionName 11 -Value 1
            Send-SocketData $u 'anyone?'
            try { Receive-SocketData $u -Timeout 1 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
            $watch = [Diagnostics.Stopwatch]::StartNew()
            try { Receive-SocketData $u -Timeout 0.5 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
            $watch.Elapsed.TotalSeconds -lt 3
            """).Ok();
        Assert.Equal(new object?[] { "ConnectionRefused,PsSockets.Commands.ReceiveSocketDataCommand", "OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand", true }, result.Values);
    }

    [Fact]
    public void ToTakesADnsEndPointAndInvokeSocketRequestNeedsAConnectedSocket()
    {
        var result = Ps.Run("""
            $r = Start-SocketListener -Udp -Port 0
            $u = New-Socket -Type Dgram
            Send-SocketData $u 'by name' -To ([System.Net.DnsEndPoint]::new('localhost', $r.LocalEndPoint.Port, 'InterNetwork'))
            (Receive-SocketData $r -Timeout 5).Text
            Invoke-SocketRequest $u 'hello?' -Timeout 1
            """);
        Assert.Equal(new object?[] { "by name" }, result.Values);
        AssertError(result, "NotConnected", ErrorCategory.InvalidOperation, "InvokeSocketRequestCommand");
        Assert.Contains("Connect-Socket host port -Udp", result.OnlyError.ToString());
    }

    [Fact]
    public void MulticastGroupsThatAreNotAllGroupsChangeNothing()
    {
        var result = Ps.Run("""
            $u = New-Socket -Type Dgram -LocalPort 0 -Option @{ MulticastInterface = '127.0.0.1' }
            try { Set-SocketOption $u MulticastGroups @($null) -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
            try { Set-SocketOption $u MulticastGroups '239.255.77.46', '127.0.0.1' -ErrorAction Stop } catch { $_.FullyQualifiedErrorId; $_.Exception.Message -match 'nothing was joined' }
            $u.MulticastGroups.Count
            """).Ok();
        Assert.Equal(new object?[] { "InvalidArgument,PsSockets.Commands.SetSocketOptionCommand", "InvalidArgument,PsSockets.Commands.SetSocketOptionCommand", true, 0 }, result.Values);
    }
}
