using System;
using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>What a socket counts of itself (issue 10, part 4): calls, bytes, what is buffered, time blocked, the largest message.</summary>
public sealed class SocketStatisticsTests : SocketTestBase
{
    public SocketStatisticsTests(PsSession ps)
        : base(ps)
    {
    }

    [Fact]
    public void ASocketCountsItsCallsItsBytesItsBufferItsWaitsAndItsLargestMessage()
    {
        var result = WithPair("""
            Enable-SocketTrace $c, $s
            Send-SocketData $c ([string]::new([char]'x', 100000)) -LengthPrefix 4
            $null = Receive-SocketData $s -LengthPrefix 4 -AsByteArray
            Send-SocketData $c "a`nb`nc"
            $null = Receive-SocketData $s -Line
            $s.BytesBuffered
            $null = Receive-SocketData $c -Timeout 0.3 -ErrorAction SilentlyContinue
            $c.BlockedTime.TotalSeconds -ge 0.15      # the wait, less the moment between the time limit's start and the poll
            $s.BlockedTime -lt $c.BlockedTime
            $c.LargestMessage, $s.LargestMessage
            $c.BytesSent, $s.BytesReceived
            $c.Sends -eq @(Get-SocketTrace $c -Event Send).Count
            $s.Receives -eq @(Get-SocketTrace $s -Event Receive, End).Count
            $c.Sends -ge 2
            $s.Receives -ge 2
            $s.Sends, $c.Receives
            """).Ok();
        Assert.Equal(new object?[] { 3, true, true, 100004, 100004, 100009L, 100009L, true, true, true, true, 0L, 0L }, result.Values);
    }

    [Fact]
    public void DatagramsAndAcceptsCountToo()
    {
        var result = Ps.Run("""
            $u = Start-SocketListener -Port 0 -Datagram
            $d = New-Socket -Type Dgram
            Send-SocketData $d ([byte[]]::new(1200)) -To "127.0.0.1:$($u.LocalEndPoint.Port)"
            Send-SocketData $d ([byte[]]::new(300)) -To "127.0.0.1:$($u.LocalEndPoint.Port)"
            $null = Receive-SocketData $u -Timeout 5
            $null = Receive-SocketData $u -Timeout 5
            $d.Sends, $d.LargestMessage, $u.Receives, $u.LargestMessage, $u.BytesReceived
            $l = Start-SocketListener -Port 0
            $null = Wait-SocketConnection $l -Timeout 0.2 -ErrorAction SilentlyContinue
            $l.BlockedTime.TotalSeconds -ge 0.1
            """).Ok();
        Assert.Equal(new object?[] { 2L, 1200, 2L, 1200, 1500L, true }, result.Values);
    }
}
