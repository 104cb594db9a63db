using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Sockets across runspaces (ForEach-Object -Parallel, a [powershell] of its own): shared sockets work, a
/// second sender or receiver waits its turn instead of tearing messages, and each session owns and closes its own.
/// </summary>
public sealed class RunspaceSharingTests : SocketTestBase
{
    // A runspace of ForEach-Object -Parallel imports the module itself (autoloading finds it only in $env:PSModulePath).
    public RunspaceSharingTests(PsSession ps) : base(ps) => Ps.Run("$global:module = (Get-Module PsSockets).Path; $global:ErrorActionPreference = 'Stop'").Ok();

    [Fact]
    public void ParallelSendersOnOneSocketNeverInterleaveTheirMessages()
    {
        // 256 KiB messages do not fit the socket buffer: each takes many partial sends, where two
        // unserialised senders would interleave their bytes.
        var result = WithPair("""
            $results = 0..4 | ForEach-Object -ThrottleLimit 5 -Parallel {
                Import-Module $using:module; $ErrorActionPreference = 'Stop'
                $c = $using:c; $s = $using:s
                if ($_ -eq 0) {
                    $torn = 0
                    for ($i = 0; $i -lt 16; $i++) {
                        $m = Receive-SocketData $s -LengthPrefix 4 -AsByteArray -Timeout 20
                        $same = [byte[]]::new($m.Length); [Array]::Fill($same, $m[0])
                        if (-not [System.Linq.Enumerable]::SequenceEqual($m, $same)) { $torn++ }
                    }
                    "torn $torn"
                }
                else {
                    $message = [byte[]]::new(256KB); [Array]::Fill($message, [byte]$_)
                    for ($i = 0; $i -lt 4; $i++) { Send-SocketData $c $message -LengthPrefix 4 -Timeout 20 }
                    "sent $_"
                }
            }
            $results -match 'torn'
            @($results -match 'sent').Count
            $c.BytesSent
            """).Ok();

        Assert.Equal(new object?[] { "torn 0", 4, 16L * (256 * 1024 + 4) }, result.Values);
    }

    [Fact]
    public void TwoRunspacesReceiveLinesFromOneSocketAndTogetherGetEachLineOnce()
    {
        var result = WithPair("""
            1..400 | ForEach-Object { "line $_" } | Send-SocketData $s -Line
            Disconnect-Socket $s -Direction Send
            $lines = @(1..2 | ForEach-Object -Parallel { Import-Module $using:module; $ErrorActionPreference = 'Stop'; Receive-SocketData $using:c -Line -Continuous -Timeout 20 })
            $lines.Count
            [System.Collections.Generic.HashSet[string]]::new([string[]]$lines).Count
            @($lines | Where-Object { $_ -notmatch '^line \d+$' }).Count
            """).Ok();

        Assert.Equal(new object?[] { 400, 400, 0 }, result.Values);
    }

    [Fact]
    public void OneRunspaceSendsWhileAnotherReceivesOnTheSameSocket()
    {
        var result = WithPair("""
            $job = 0..1 | ForEach-Object -ThrottleLimit 2 -AsJob -Parallel {
                Import-Module $using:module; $ErrorActionPreference = 'Stop'
                if ($_ -eq 0) {
                    1..2000 | ForEach-Object { "ping $_" } | Send-SocketData $using:c -Line -Timeout 20
                    'sent 2000'
                }
                else {
                    $inOrder = 0
                    for ($i = 1; $i -le 2000; $i++) {
                        if ((Receive-SocketData $using:c -Line -Timeout 20) -eq "ping $i") { $inOrder++ }
                    }
                    "got $inOrder in order"
                }
            }
            for ($i = 1; $i -le 2000; $i++) { Send-SocketData $s (Receive-SocketData $s -Line -Timeout 20) -Line -Timeout 20 }
            Receive-Job $job -Wait
            Remove-Job $job -Force -ErrorAction Ignore   # -AutoRemoveJob once failed under load: "cannot remove the job because it does not exist" (PowerShell's job, not ours)
            """).Ok();

        Assert.Equal(["got 2000 in order", "sent 2000"], result.Values.Select(v => v?.ToString()).Order());
    }

    [Fact]
    public void EachSessionOwnsItsSocketsAndClosesThemWhenItEnds()
    {
        var result = Ps.Run("""
            $mine = Start-SocketListener -Port 0 -Name mine
            $theirs = 1..2 | ForEach-Object -Parallel {
                Import-Module $using:module; $ErrorActionPreference = 'Stop'
                $l = Start-SocketListener -Port 0 -Name "theirs $_"
                [pscustomobject]@{ Seen = (Get-Socket).Name -join ','; Socket = $l }
            }
            $theirs.Seen -join '|'
            ($theirs.Socket | ForEach-Object IsClosed) -join ','
            (Get-Socket).Name -join ','
            """).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(["theirs 1", "theirs 2"], result[0]!.Split('|').Order());
        Assert.Equal("True,True", result[1]);
        Assert.Equal("mine", result[2]);
    }

    [Fact]
    public void RemoveModuleClosesTheSessionsSockets()
    {
        var result = Ps.Run("""
            $runspace = [runspacefactory]::CreateRunspace([System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
            $runspace.Open()
            $ps = [powershell]::Create($runspace)
            try {
                $null = $ps.AddScript('
                    param($module)
                    Import-Module $module
                    $l = Start-SocketListener -Port 0
                    $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 5
                    Remove-Module PsSockets
                    $l.IsClosed; $c.IsClosed
                ').AddArgument($args[0])
                $ps.Invoke()
                $ps.Streams.Error.Count
            }
            finally { $ps.Dispose(); $runspace.Dispose() }
            """, ModuleLayout.ModulePath).Ok();

        Assert.Equal(new object?[] { true, true, 0 }, result.Values);
    }
}
