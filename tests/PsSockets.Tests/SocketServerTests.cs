using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Start-SocketListener -Handler, the concurrent ("thread per client") server: each connection's handler in a
/// runspace of its own, errors and output kept on the server, at most -ThrottleLimit at once, Get-/Stop-SocketServer.
/// </summary>
public sealed class SocketServerTests : SocketTestBase
{
    // Echoes lines until the client shuts down its side.
    private const string EchoServer = """
        $srv = Start-SocketListener -Port 0 -Name echo -Handler { param($c) Receive-SocketData $c -Line -Continuous | Send-SocketData $c -Line }
        $port = $srv.LocalEndPoint.Port
        """;

    public SocketServerTests(PsSession ps)
        : base(ps) => ps.Run("Get-SocketServer | Stop-SocketServer").Ok();

    [Fact]
    public void EachConnectionRunsTheHandlerAndItsSocketClosesWhenTheHandlerEnds()
    {
        var result = Ps.Run(EchoServer + """

            $srv.GetType().FullName; $srv.State; $srv.Name; $srv.ThrottleLimit; $srv.LocalEndPoint.Address.ToString()
            foreach ($i in 1..3) {
                $c = Connect-Socket 127.0.0.1 $port -Timeout 5
                Send-SocketData $c -Line "hello $i ✓"
                Receive-SocketData $c -Line -Timeout 5
                Disconnect-Socket $c -Direction Send
                Receive-SocketData $c -ToEnd -Timeout 5     # the server closed it: the handler ended
                $c.PeerClosed
                Close-Socket $c
            }
            $srv.Accepted; $srv.Completed; $srv.Failed; $srv.Active
            """).Ok();
        Assert.Equal(new object?[] { "PsSockets.SocketServer", "Running", "echo", 16, "127.0.0.1",
            "hello 1 ✓", "", true, "hello 2 ✓", "", true, "hello 3 ✓", "", true, 3L, 3L, 0L, 0 }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void AHandlerThatThrowsIsRecordedAndTheServerServesTheNextClient()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -Handler {
                param($c)
                $line = Receive-SocketData $c -Line -Timeout 5
                if ($line -eq 'boom') { throw "boom from the handler of $($c.Id)" }
                Send-SocketData $c -Line "ok $line"
            }
            foreach ($line in 'boom', 'next') {
                $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5
                Send-SocketData $c -Line $line
                "[$(Receive-SocketData $c -ToEnd -Timeout 5)]"
                Close-Socket $c
            }
            $srv.Failed; $srv.Completed; $srv.State
            $srv.Errors.Count
            $srv.Errors[0].Exception.Message -like 'boom from the handler of *'
            $srv.Errors[0].CategoryInfo.Category
            """).Ok();
        Assert.Equal(new object?[] { "[]", "[ok next\n]", 1L, 1L, "Running", 1, true, "OperationStopped" }, SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void ErrorsAHandlerWritesAreRecordedThoughItCompletes()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -Handler { param($c) Get-Socket -Id 987654 }
            $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5
            $null = Receive-SocketData $c -ToEnd -Timeout 5
            $srv.Completed; $srv.Failed
            $srv.Errors | ForEach-Object { $_.FullyQualifiedErrorId }
            """).Ok();
        Assert.Equal(new object?[] { 1L, 0L, "SocketNotFound,PsSockets.Commands.GetSocketCommand" }, result.Values);
    }

    [Fact]
    public void HandlerGetsArgumentListAndUsingVariablesAndItsOutputIsKept()
    {
        var result = Ps.Run("""
            $greeting = 'hello'
            $srv = Start-SocketListener -Port 0 -ArgumentList 'first', 2 -Handler {
                param($client, $word, $number)
                "$word $number $($using:greeting) $($client.GetType().Name) $($args.Count)"
                [pscustomobject]@{ Client = $client.Id; Line = Receive-SocketData $client -Line -Timeout 5 }
            }
            $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5
            Send-SocketData $c -Line 'from the client'
            $null = Receive-SocketData $c -ToEnd -Timeout 5
            $srv.Output[0]
            $srv.Output[1].Line
            $srv.Output[1].Client -eq $srv.Output[1].Client -and $srv.Output[1].Client -gt 0
            $srv.Output.Count
            """).Ok();
        Assert.Equal(new object?[] { "first 2 hello PsSocket 0", "from the client", true, 2 }, result.Values);
    }

    [Fact]
    public void OutputKeepsTheNewestThousandObjects()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -Handler { param($c) 1..1500 }
            $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5
            $null = Receive-SocketData $c -ToEnd -Timeout 5
            $srv.Output.Count; $srv.Output[0]; $srv.Output[-1]
            [PsSockets.SocketServer]::OutputLimit
            """).Ok();
        Assert.Equal(new object?[] { 1000, 501, 1500, 1000 }, result.Values);
    }

    [Fact]
    public void TheClientIsInTheHandlersGetSocketAndWhatTheHandlerLeavesOpenIsClosed()
    {
        var result = Ps.Run("""
            $side = Start-SocketListener -Port 0
            $srv = Start-SocketListener -Port 0 -ArgumentList $side.LocalEndPoint.Port -Handler {
                param($c, $sidePort)
                $extra = Connect-Socket 127.0.0.1 $sidePort -Timeout 5
                (Get-Socket | ForEach-Object { $_.Id }) -join ','
                "$($c.Id),$($extra.Id)"
                $extra
            }
            $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5
            $null = Receive-SocketData $c -ToEnd -Timeout 5
            $srv.Output[0] -eq $srv.Output[1]
            $srv.Output[2].IsClosed
            (Get-Socket | Where-Object { $_.Id -eq $srv.Listener.Id }).Count
            @(Get-Socket).Count                       # $side and $c: not the server's listener nor its clients
            """).Ok();
        Assert.Equal(new object?[] { true, true, 0, 2 }, result.Values);
    }

    [Fact]
    public void AtMostThrottleLimitHandlersRunAndTheOthersWaitInTheBacklog()
    {
        using var gate = new ManualResetEventSlim();
        Ps.Set("gate", gate);
        Ps.Run("""
            $stats = [hashtable]::Synchronized(@{ Now = 0; Max = 0 })
            $srv = Start-SocketListener -Port 0 -ThrottleLimit 2 -ArgumentList $gate, $stats -Handler {
                param($c, $gate, $stats)
                [System.Threading.Monitor]::Enter($stats.SyncRoot)
                try { $stats.Now++; $stats.Max = [Math]::Max($stats.Max, $stats.Now) } finally { [System.Threading.Monitor]::Exit($stats.SyncRoot) }
                while (-not $gate.Wait(20)) { }
                Send-SocketData $c -Line "served $(Receive-SocketData $c -Line -Timeout 5)"
                [System.Threading.Monitor]::Enter($stats.SyncRoot)
                try { $stats.Now-- } finally { [System.Threading.Monitor]::Exit($stats.SyncRoot) }
            }
            $clients = 1..4 | ForEach-Object { Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5 }
            $clients | ForEach-Object { Send-SocketData $_ -Line $_.Id }
            """).Ok();
        var server = Ps.Get("srv")!;
        var stats = (System.Collections.Hashtable)Ps.Get("stats")!;
        Assert.True(SpinWait.SpinUntil(() => Count(server, "Active") == 2 && (int)stats["Now"]! == 2, Seconds(20)));

        // Two run; the other two connections are complete (connect returned) but wait in the backlog, not accepted.
        Assert.Equal(2, Count(server, "Accepted"));
        gate.Set();
        var result = Ps.Run("""
            $clients | ForEach-Object { (Receive-SocketData $_ -Line -Timeout 10) -eq "served $($_.Id)" }
            $stats.Max; $srv.Accepted
            """).Ok();
        Assert.Equal(new object?[] { true, true, true, true, 2, 4L }, result.Values);
    }

    [Fact]
    public void AHandlerCanStopItsOwnServerAndStillFinishItsAnswer()
    {
        var result = Ps.Run("""
            $box = [hashtable]::Synchronized(@{})
            $srv = Start-SocketListener -Port 0 -ArgumentList $box -Handler {
                param($c, $box)
                if ((Receive-SocketData $c -Line -Timeout 5) -eq 'quit') {
                    Stop-SocketServer $box.Server -Timeout 10     # this handler too has up to 10 s left to finish
                    Send-SocketData $c -Line 'bye'
                }
            }
            $box.Server = $srv
            $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5
            Send-SocketData $c -Line 'quit'
            Receive-SocketData $c -ToEnd -Timeout 5
            $srv.Listener.IsClosed
            """).Ok();
        Assert.Equal(new object?[] { "bye\n", true }, result.Values);
        var server = Ps.Get("srv")!;
        Assert.True(SpinWait.SpinUntil(() => Count(server, "Completed") == 1 && PSObject.AsPSObject(server).Properties["State"].Value.ToString() == "Stopped", Seconds(10)));
        Assert.Equal(0, Count(server, "Interrupted"));
        Assert.Empty(Ps.Run("$srv.Errors").Ok().Output);
    }

    [Fact]
    public void GetSocketServerListsRunningServersByIdAndName()
    {
        var result = Ps.Run("""
            $a = Start-SocketListener -Port 0 -Name alpha -Handler { param($c) }
            $b = Start-SocketListener -Port 0 -Name beta -Handler { param($c) }
            (Get-SocketServer).Name -join ','
            (Get-SocketServer -Id $b.Id).Name
            (Get-SocketServer -Name al*).Name
            Get-SocketServer -Name nosuch -ErrorAction SilentlyContinue -ErrorVariable missing
            $missing[0].FullyQualifiedErrorId
            Stop-SocketServer $a
            (Get-SocketServer).Name -join ','
            $a.State
            """).Ok();
        Assert.Equal(new object?[] { "alpha,beta", "beta", "alpha", "SocketServerNotFound,PsSockets.Commands.GetSocketServerCommand", "beta", "Stopped" },
            SocketLifecycleTests.Normalize(result));
    }

    [Fact]
    public void StopSocketServerTakesServersIdsAndNamesAndWhatIfStopsNothing()
    {
        var result = Ps.Run("""
            $a = Start-SocketListener -Port 0 -Name alpha -Handler { param($c) }
            $b = Start-SocketListener -Port 0 -Name beta -Handler { param($c) }
            $c = Start-SocketListener -Port 0 -Name gamma -Handler { param($c) }
            Stop-SocketServer $a, $b -WhatIf
            $a.State; $a.Listener.IsClosed
            Stop-SocketServer $a.Id -PassThru | ForEach-Object { $_.Name }
            Stop-SocketServer beta
            Get-SocketServer | Stop-SocketServer -PassThru | ForEach-Object { "$($_.Name) $($_.State)" }
            Stop-SocketServer 'nosuch'
            """);
        Assert.Equal(new object?[] { "Running", false, "alpha", "gamma Stopped" }, SocketLifecycleTests.Normalize(result));
        Assert.Contains("No running server is named 'nosuch'", result.Exception?.Message ?? result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheServerTabCompletesWithRunningServerIds()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -Name completed -Handler { param($c) }
            $line = 'Stop-SocketServer -Server '
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { "$($_.CompletionText)|$($_.ListItemText)" }
            "$($srv.Id)|$($srv.Id) completed"
            """).Ok().Values.ToList();
        Assert.Equal(2, result.Count);
        Assert.Equal(result[1], result[0]);
    }

    [Fact]
    public void AUnixSocketServerServesAndRemovesItsFileWhenStopped()
    {
        string path = $"/tmp/pssockets-server-{Guid.NewGuid():N}.sock";
        var result = Ps.Run("""
            $srv = Start-SocketListener -Path $args[0] -Handler { param($c) Receive-SocketData $c -Line -Continuous | Send-SocketData $c -Line }
            $c = Connect-Socket -Path $args[0] -Timeout 5
            Send-SocketData $c -Line 'over unix'
            Receive-SocketData $c -Line -Timeout 5
            Stop-SocketServer $srv
            [IO.File]::Exists($args[0])
            $srv.ToString() -like "server * (Unix unix:$($args[0]), Stopped)"
            """, path).Ok();
        Assert.Equal(new object?[] { "over unix", false, true }, result.Values);
    }

    [Theory]
    [InlineData("-Datagram")]
    [InlineData("-MulticastGroup 239.1.2.3")]
    public void AHandlerServerIsAStreamListener(string option)
    {
        var result = Ps.Run($"Start-SocketListener -Port 0 -Handler {{ param($c) }} {option}");
        Assert.Equal("AmbiguousParameterSet,PsSockets.Commands.StartSocketListenerCommand", result.OnlyError.FullyQualifiedErrorId);
        Assert.Empty(Ps.Run("Get-SocketServer").Ok().Output);
    }

    [Fact]
    public void AUsingVariableThatDoesNotExistIsRefusedAtStart()
    {
        var result = Ps.Run("Start-SocketListener -Port 0 -Handler { param($c) $using:doesNotExist }");
        AssertError(result, "UsingVariableNotFound", ErrorCategory.ObjectNotFound, "StartSocketListenerCommand");
        Assert.Contains("$using:doesNotExist", result.OnlyError.ToString(), StringComparison.Ordinal);
        Assert.Empty(Ps.Run("Get-SocketServer").Ok().Output);
    }

    private static long Count(object server, string property) =>
        Convert.ToInt64(PSObject.AsPSObject(server).Properties[property].Value, System.Globalization.CultureInfo.InvariantCulture);
}
