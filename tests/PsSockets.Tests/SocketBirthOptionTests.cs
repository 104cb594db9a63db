using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// The option switches and -Option of New-Socket, Connect-Socket and Start-SocketListener: set before bind
/// and connect, read back by getsockopt's own numbers, refused clearly where they do not apply.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SocketBirthOptionTests(PsSession ps) : SocketTestBase(ps)
{
    private const string RawInt = """
        function Get-RawInt($socket, [int] $level, [int] $name) {
            $bytes = [byte[]]::new(4)
            $null = $socket.Socket.GetRawSocketOption($level, $name, $bytes)
            [BitConverter]::ToInt32($bytes, 0)
        }

        """;

    [Fact]
    public void NewSocketSetsSwitchesAndOptionsBeforeItBinds()
    {
        var result = Ps.Run(RawInt + """
            $s = New-Socket -NoDelay -KeepAlive -ReusePort -LocalPort 0 -Option @{ KeepAliveIdle = 30; keepaliveinterval = '5'; ReceiveTimeout = 0.5; Linger = 2 }
            Get-RawInt $s 6 1; Get-RawInt $s 1 9; Get-RawInt $s 1 15; Get-RawInt $s 6 4; Get-RawInt $s 6 5
            $s.ReceiveTimeout; (Get-SocketOption $s Linger).Value; $s.State
            """).Ok();

        Assert.Equal(new object?[] { 1, 1, 1, 30, 5, 0.5, 2, "Bound" }, result.Values.Select(v => v is System.Enum ? v.ToString() : v));
    }

    [Fact]
    public void ReuseAddressSetsSoReuseAddrAloneNotAlsoSoReusePort()
    {
        // .NET's ReuseAddress sets SO_REUSEPORT too on Linux, which would let a second socket share the port.
        // (On TCP .NET turns SO_REUSEADDR on by itself at bind, so UDP shows the switch's own effect.)
        var result = Ps.Run(RawInt + """
            $plain = New-Socket -Type Dgram -LocalPort 0
            Get-RawInt $plain 1 2
            $u = New-Socket -Type Dgram -LocalPort 0 -ReuseAddress
            Get-RawInt $u 1 2; Get-RawInt $u 1 15
            $l = Start-SocketListener -Port 0 -ReuseAddress
            Get-RawInt $l 1 15
            Start-SocketListener -Port $l.LocalEndPoint.Port -ReuseAddress -ErrorAction SilentlyContinue -ErrorVariable taken
            $taken[0].FullyQualifiedErrorId
            """).Ok();

        Assert.Equal(new object?[] { 0, 1, 0, 0, "AddressInUse,PsSockets.Commands.StartSocketListenerCommand" }, result.Values);
    }

    [Fact]
    public void AnOptionAGivenSocketCannotTakeChangesNoneOfTheOthers()
    {
        var result = Ps.Run("""
            $u = New-Socket -Type Dgram
            $u | Connect-Socket 127.0.0.1 9 -Broadcast -Option @{ NoDelay = $true } -ErrorAction SilentlyContinue -ErrorVariable refused
            $refused[0].FullyQualifiedErrorId; $u.Socket.EnableBroadcast; $u.State
            """).Ok();
        Assert.Equal(new object?[] { "OptionNotApplicable,PsSockets.Commands.ConnectSocketCommand", false, "Open" }, result.Values.Select(v => v is System.Enum ? v.ToString() : v));
    }

    [Fact]
    public void AMulticastListenerJoinsItsGroupOnceAndOptionGroupsByTheSameInterface()
    {
        var result = Ps.Run("""
            $m = Start-SocketListener -MulticastGroup 239.255.77.44 -Port 0 -Option @{ MulticastGroups = '239.255.77.44', '239.255.77.45' }
            "$($m.MulticastGroups)"
            Send-SocketData $m 'by loopback' -To "239.255.77.44:$($m.LocalEndPoint.Port)"
            (Receive-SocketData $m -Timeout 5).Text
            """).Ok();
        Assert.Equal(new object?[] { "239.255.77.44 239.255.77.45", "by loopback" }, result.Values);
    }

    [Fact]
    public void ReusePortLetsTwoListenersShareAPort()
    {
        var result = Ps.Run("""
            $a = Start-SocketListener -Port 0 -ReusePort
            $b = Start-SocketListener -Port $a.LocalEndPoint.Port -ReusePort
            $a.LocalEndPoint.Port -eq $b.LocalEndPoint.Port
            """).Ok();
        Assert.Equal(new object?[] { true }, result.Values);
    }

    [Fact]
    public void ConnectSocketSetsOptionsOnTheNewConnectionAndOnAGivenSocket()
    {
        var result = WithPair(RawInt + """
            $k = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -NoDelay -KeepAlive -Option @{ KeepAliveCount = 4; SendTimeout = 2 } -Timeout 5
            Get-RawInt $k 6 1; Get-RawInt $k 1 9; Get-RawInt $k 6 6; $k.SendTimeout
            $given = New-Socket
            $null = $given | Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -NoDelay -Timeout 5
            Get-RawInt $given 6 1
            """).Ok();

        Assert.Equal(new object?[] { 1, 1, 4, 2.0, 1 }, result.Values);
    }

    [Fact]
    public void BroadcastLetsAUdpSocketSendToTheLoopbackBroadcastAddress()
    {
        var result = Ps.Run("""
            $r = New-Socket -Type Dgram -LocalAddress 127.255.255.255 -LocalPort 0
            $to = "127.255.255.255:$($r.LocalEndPoint.Port)"
            $plain = New-Socket -Type Dgram
            Send-SocketData $plain 'refused' -To $to -ErrorAction SilentlyContinue -ErrorVariable refused
            $refused[0].FullyQualifiedErrorId
            $b = New-Socket -Type Dgram -Broadcast
            Send-SocketData $b 'to everyone' -To $to
            (Receive-SocketData $r -Timeout 5).Text
            """).Ok();

        Assert.Equal(new object?[] { "AccessDenied,PsSockets.Commands.SendSocketDataCommand", "to everyone" }, result.Values);
        Assert.Contains("-Broadcast", Ps.Run("""
            Send-SocketData $plain 'refused' -To $to -ErrorAction SilentlyContinue -ErrorVariable refused; "$refused"
            """).Ok().Single?.ToString());
    }

    [Fact]
    public void MulticastGroupsJoinAndLeaveAsTheKernelSeesIt()
    {
        // /proc/net/igmp lists the groups each interface joined, the group in hex as the kernel stores it.
        const string groupHex = "2B4DFFEF"; // 239.255.77.43
        var result = Ps.Run("""
            $m = New-Socket -Type Dgram -LocalAddress 239.255.77.43 -LocalPort 0 -Option @{ MulticastInterface = '127.0.0.1'; MulticastGroups = '239.255.77.43' }
            "$((Get-SocketOption $m MulticastGroups).Value)"
            [IO.File]::ReadAllText('/proc/net/igmp').Contains($args[0])
            Send-SocketData $m 'to myself' -To "239.255.77.43:$($m.LocalEndPoint.Port)"
            (Receive-SocketData $m -Timeout 5).Text
            Set-SocketOption $m MulticastGroups @()
            $m.MulticastGroups.Count
            [IO.File]::ReadAllText('/proc/net/igmp').Contains($args[0])
            """, groupHex).Ok();

        Assert.Equal(new object?[] { "239.255.77.43", true, "to myself", 0, false }, result.Values);
    }

    [Theory]
    [InlineData("New-Socket -Type Dgram -NoDelay", "OptionNotApplicable", ErrorCategory.InvalidOperation, "NewSocketCommand", "NoDelay (TCP_NODELAY) applies to TCP sockets")]
    [InlineData("Start-SocketListener -Udp -Port 0 -KeepAlive", "OptionNotApplicable", ErrorCategory.InvalidOperation, "StartSocketListenerCommand", "KeepAlive (SO_KEEPALIVE) applies to TCP sockets")]
    [InlineData("Start-SocketListener -Port 0 -Broadcast", "OptionNotApplicable", ErrorCategory.InvalidOperation, "StartSocketListenerCommand", "Broadcast (SO_BROADCAST) applies to UDP sockets")]
    [InlineData("Start-SocketListener -Port 0 -DualMode", "OptionNotApplicable", ErrorCategory.InvalidOperation, "StartSocketListenerCommand", "DualMode (IPV6_V6ONLY) applies to IPv6 sockets")]
    [InlineData("New-Socket -Option @{ NoSuchOption = 1 }", "InvalidArgument", ErrorCategory.InvalidArgument, "NewSocketCommand", "'NoSuchOption' is not a socket option PsSockets knows")]
    [InlineData("New-Socket -Option @{ Ttl = 300 }", "InvalidArgument", ErrorCategory.InvalidArgument, "NewSocketCommand", "1 to 255 hops")]
    [InlineData("New-Socket -NoDelay -Option @{ NoDelay = $false }", "OptionGivenTwice", ErrorCategory.InvalidArgument, "NewSocketCommand", "NoDelay is given twice")]
    [InlineData("Connect-Socket 127.0.0.1 9 -Broadcast -Timeout 5", "OptionNotApplicable", ErrorCategory.InvalidOperation, "ConnectSocketCommand", "Broadcast (SO_BROADCAST) applies to UDP sockets")]
    [InlineData("Connect-Socket -Path /tmp/pssockets-none.sock -NoDelay", "OptionNotApplicable", ErrorCategory.InvalidOperation, "ConnectSocketCommand", "applies to TCP sockets")]
    public void AnOptionTheNewSocketCannotTakeIsAClearErrorAndLeavesNoSocket(string script, string errorId, ErrorCategory category, string command, string says)
    {
        var result = Ps.Run(script); // the first run also starts what the process keeps (.NET's socket engine)

        AssertError(result, errorId, category, command);
        Assert.Contains(says, result.OnlyError.ToString());
        Assert.Empty(Ps.Run("Get-Socket").Ok().Values);
        int before = OpenDescriptors();
        for (int i = 0; i < 3; i++)
        {
            Assert.Single(Ps.Run(script).Errors);
        }
        Assert.InRange(OpenDescriptors(), 0, before); // a leak adds three; other classes' peers may close theirs meanwhile
    }

    [Fact]
    public void DatagramWithAGivenStreamSocketIsRefusedAndTheSocketIsLeftAsItWas()
    {
        var result = Ps.Run("$s = New-Socket; $s | Connect-Socket 127.0.0.1 9 -Datagram; $s.State");
        Assert.Equal(new object?[] { "Open" }, result.Values.Select(v => v?.ToString()));
        AssertError(result, "DatagramWithStreamSocket", ErrorCategory.InvalidArgument, "ConnectSocketCommand");
    }

    [Fact]
    public void AcceptedConnectionsKeepTheListenersPerDirectionTimeLimits()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0 -Option @{ ReceiveTimeout = 0.2; SendTimeout = 3 }
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection $l -Timeout 5
            $s.ReceiveTimeout; $s.SendTimeout
            Receive-SocketData $s -ErrorAction SilentlyContinue -ErrorVariable late
            $late[0].FullyQualifiedErrorId
            """).Ok();
        Assert.Equal(new object?[] { 0.2, 3.0, "OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand" }, result.Values);
    }

    [Fact]
    public void AValueOutOfRangeChangesNoneOfTheOtherOptionsOfAGivenSocket()
    {
        var result = WithPair("""
            $given = New-Socket
            $given | Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -NoDelay -KeepAlive -Option @{ Ttl = 0 } -ErrorAction SilentlyContinue -ErrorVariable refused
            $refused[0].FullyQualifiedErrorId; $given.Socket.NoDelay; (Get-SocketOption $given KeepAlive).Value; $given.State
            """).Ok();
        Assert.Equal(new object?[] { "InvalidArgument,PsSockets.Commands.ConnectSocketCommand", false, false, "Open" }, result.Values.Select(v => v is System.Enum ? v.ToString() : v));
    }

    [Fact]
    public void ANonBlockingModeAskedForAtBirthSurvivesTheConnect()
    {
        var result = WithPair("""
            (Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Option @{ Blocking = $false } -Timeout 5).Socket.Blocking
            $pair = New-SocketPair
            $path = [IO.Path]::Combine([IO.Path]::GetTempPath(), "pssockets-$([guid]::NewGuid().ToString('n').Substring(0, 8)).sock")
            $u = Start-SocketListener -Path $path
            (Connect-Socket -Path $path -Option @{ Blocking = $false } -Timeout 5).Socket.Blocking
            """).Ok();
        Assert.Equal(new object?[] { false, false }, result.Values);
    }
}
