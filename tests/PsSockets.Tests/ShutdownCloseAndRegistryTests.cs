using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>shutdown(), close() and the session's registry of open sockets.</summary>
public sealed class ShutdownCloseAndRegistryTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void ShutdownOfSendingLetsThePeerReadToTheEndAndStillReceive()
    {
        // The seeds' HTTP-like exchange: send the request, shut down sending, read the reply to the end.
        var result = WithPair("""
            Send-SocketData $c "GET / HTTP/1.0`r`n`r`n"
            Disconnect-Socket $c -Direction Send
            $c.State
            $request = Receive-SocketData $s -ToEnd
            $request.Length
            Send-SocketData $s "HTTP/1.0 200 OK`r`n`r`nhi"
            Disconnect-Socket $s
            Receive-SocketData $c -ToEnd
            $s.State
            """).Ok();
        Assert.Equal(new object?[] { "SendShutdown", 18, "HTTP/1.0 200 OK\r\n\r\nhi", "Shutdown" }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void ShutdownOfReceivingEndsReceivesButNotSends()
    {
        var result = WithPair("""
            Disconnect-Socket $s -Direction Receive -PassThru | ForEach-Object State
            Receive-SocketData $s -Timeout 1 -ErrorAction SilentlyContinue -ErrorVariable nope
            $nope[0].FullyQualifiedErrorId
            Send-SocketData $s "still"
            Receive-SocketData $c -Count 5
            """).Ok();
        Assert.Equal(new object?[] { "ReceiveShutdown", "PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand", "still" }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void WhatIfChangesNothing()
    {
        var result = WithPair("""
            Disconnect-Socket $c -WhatIf
            Close-Socket $c -WhatIf
            $c.State
            Send-SocketData $c "alive"
            Receive-SocketData $s -Count 5
            """).Ok();
        Assert.Equal(new object?[] { "Connected", "alive" }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void GracefulCloseDeliversEverythingSentBefore()
    {
        var result = WithPair("""
            Send-SocketData $c ([byte[]]::new(1MB))
            Close-Socket $c
            $c.State
            (Receive-SocketData $s -ToEnd -AsByteArray -Timeout 10).Length
            """).Ok();
        Assert.Equal(new object?[] { "Closed", 1048576 }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void ClosingTwiceIsHarmlessAndClosedSocketsLeaveTheRegistry()
    {
        var result = WithPair("""
            @(Get-Socket).Count
            Close-Socket $c
            Close-Socket $c
            $c | Close-Socket
            Close-Socket $null                      # a variable that never got its socket: nothing to close
            $null | Close-Socket
            @(Get-Socket).Count
            Close-Socket -All
            @(Get-Socket).Count
            """).Ok();
        Assert.Equal(new object?[] { 3, 2, 0 }, result.Values);
    }

    [Fact]
    public void GetSocketFiltersByIdNameAndState()
    {
        var result = WithPair("""
            $c.Name = 'web-client'; $s.Name = 'web-server'
            (Get-Socket -Name 'web-*').Count
            (Get-Socket -Id $l.Id).State
            (Get-Socket -State Listening).Id -eq $l.Id
            @(Get-Socket -Name nothing-like-this*).Count
            $c | Get-Socket | ForEach-Object Name
            """).Ok();
        Assert.Equal(new object?[] { 2, "Listening", true, 0, "web-client" }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void GetSocketReportsAnUnknownIdOrName()
    {
        var result = Ps.Run("Get-Socket -Id 987654; Get-Socket -Name nobody");
        Assert.Equal(new[] { "SocketNotFound,PsSockets.Commands.GetSocketCommand", "SocketNotFound,PsSockets.Commands.GetSocketCommand" },
            result.Errors.Select(e => e.FullyQualifiedErrorId));
    }

    [Fact]
    public void EachRunspaceSeesOnlyItsOwnSocketsAndClosingItClosesThem()
    {
        var result = WithPair("""
            $other = [powershell]::Create([initialsessionstate]::CreateDefault2())
            $null = $other.AddScript({ param($path) Import-Module $path; $x = Start-SocketListener -Port 0; @(Get-Socket).Count; $x }).AddArgument($args[0])
            $fromOther = $other.Invoke()
            $fromOther[0]
            $fromOther[1].IsClosed
            @(Get-Socket).Count
            $other.Runspace.Dispose(); $other.Dispose()
            $fromOther[1].IsClosed
            """, ModuleLayout.ModulePath).Ok();
        Assert.Equal(new object?[] { 1, false, 3, true }, result.Values);
    }
}
