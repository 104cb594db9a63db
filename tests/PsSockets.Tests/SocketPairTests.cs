using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>New-SocketPair: two connected sockets with no listener and no port left behind.</summary>
[Collection(SerialCollection.Name)]
public sealed class SocketPairTests(PsSession ps) : SocketTestBase(ps)
{
    [Theory]
    [InlineData("Unix", "Unix")]
    [InlineData("Tcp", "Tcp")]
    public void ThePairTalksBothWaysInEveryFramingAndEndsWithPeerClosed(string transport, string protocol)
    {
        var result = Ps.Run("""
            $a, $b = New-SocketPair $args[0] -Name left, right -Timeout 5
            $a.Protocol; (Get-Socket -Name left, right).Count; $b.Timeout
            Send-SocketData $a "hello`n"
            Receive-SocketData $b -Line
            'one', 'two ✓' | Send-SocketData $b -LengthPrefix 4
            Receive-SocketData $a -LengthPrefix 4
            Receive-SocketData $a -LengthPrefix 4
            $a.BytesSent -eq $b.BytesReceived
            Close-Socket $a
            Receive-SocketData $b -ErrorAction SilentlyContinue -ErrorVariable ended
            $ended[0].FullyQualifiedErrorId
            """, transport).Ok();
        Assert.Equal(new object?[] { protocol, 2, 5.0, "hello", "one", "two ✓", true, "PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand" }, result.Values);
    }

    [Fact]
    public void ATcpPairIsOneLoopbackConnectionWithNoListenerLeft()
    {
        var result = Ps.Run("""
            $a, $b = New-SocketPair Tcp
            "$($a.LocalEndPoint)" -eq "$($b.RemoteEndPoint)"; "$($b.LocalEndPoint)" -eq "$($a.RemoteEndPoint)"
            $a.LocalEndPoint.Address.ToString(); $a.Socket.NoDelay
            Connect-Socket 127.0.0.1 $b.LocalEndPoint.Port -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable refused
            $refused[0].FullyQualifiedErrorId
            """).Ok();
        Assert.Equal(new object?[] { true, true, "127.0.0.1", true, "ConnectionRefused,PsSockets.Commands.ConnectSocketCommand" }, result.Values);
    }

    [Fact]
    public void AUnixPairLeavesNothingToConnectToAndPrintsItsEndpointsAsUnix()
    {
        var result = Ps.Run("""
            $a, $b = New-SocketPair
            [PsSockets.PsSocket]::FormatEndPoint($a.LocalEndPoint)
            [PsSockets.PsSocket]::FormatEndPoint($b.LocalEndPoint).StartsWith('unix:')
            $probe = [System.Net.Sockets.Socket]::new('Unix', 'Stream', 'Unspecified')
            try { $probe.Connect($b.LocalEndPoint); 'connected' } catch { $_.Exception.InnerException.SocketErrorCode } finally { $probe.Dispose() }
            """).Ok().Values.ToList();
        Assert.Equal("unix:(unnamed)", result[0]);
        Assert.Equal(true, result[1]);
        Assert.Equal("ConnectionRefused", result[2]?.ToString());
    }

    [Fact]
    public void PairsLeakNoDescriptor()
    {
        Ps.Run("New-SocketPair | Close-Socket; New-SocketPair Tcp | Close-Socket").Ok();
        int before = OpenDescriptors();
        Ps.Run("1..20 | ForEach-Object { New-SocketPair | Close-Socket; New-SocketPair Tcp | Close-Socket }").Ok();
        Assert.InRange(OpenDescriptors(), 0, before + 2);
        Assert.Empty(Ps.Run("Get-Socket").Ok().Output);
    }
}
