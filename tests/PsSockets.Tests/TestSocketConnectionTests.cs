using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Test-SocketConnection over loopback: open ports (PsSockets and python3 listeners) and closed ones (bound, never
/// listening), connects that time out (a full backlog), banners and answers from python3 peers, waiting for a port
/// that opens later, and what binds from the pipeline.
/// </summary>
public sealed class TestSocketConnectionTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void OpenAndClosedPortsGiveOneResultEachInOrderWithLatencyOnSuccesses()
    {
        using var python = PythonPeer.Listening("check_peer.py", "silent");
        using var closed = ReservedPorts.Take(3);
        var result = Ps.Run("""
            $a = Start-SocketListener -Port 0
            $b = Start-SocketListener -Port 0
            $ports = $a.LocalEndPoint.Port, $args[0], $args[1], $b.LocalEndPoint.Port, $args[2], $args[3]
            $results = Test-SocketConnection 127.0.0.1 $ports -Timeout 5
            $results | ForEach-Object {
                $latency = $null -ne $_.Latency -and $_.Latency -gt [TimeSpan]::Zero -and $_.Latency -le $_.Elapsed
                '{0}|{1}|{2}|{3}|{4}|{5}' -f ($_.Port -eq $ports[$results.IndexOf($_)]), $_.Success, $_.RemoteAddress, $latency, $_.ErrorId, $_.Attempts
            }
            ($results | Where-Object Success).Count
            ($results | Where-Object { -not $_.Success }).Count
            $results[2].Error
            """, python.Port, closed.Ports[0], closed.Ports[1], closed.Ports[2]).Ok();

        Assert.Equal(new object?[]
        {
            "True|True|127.0.0.1|True||1",
            "True|True|127.0.0.1|True||1",
            "True|False|127.0.0.1|False|ConnectionRefused|1",
            "True|True|127.0.0.1|True||1",
            "True|False|127.0.0.1|False|ConnectionRefused|1",
            "True|False|127.0.0.1|False|ConnectionRefused|1",
            3, 3,
            $"Cannot connect to 127.0.0.1:{closed.Ports[0]}: Connection refused.",
        }, result.Values);
    }

    [Fact]
    public void HostsAndPortsComeHostMajorEachHostWithEveryPort()
    {
        var result = Ps.Run("""
            $v4 = Start-SocketListener -Address 127.0.0.1 -Port 0
            $v6 = Start-SocketListener -Address ::1 -Port 0
            Test-SocketConnection -ComputerName 127.0.0.1, ::1 -Port $v4.LocalEndPoint.Port, $v6.LocalEndPoint.Port |
                ForEach-Object { "$($_.ComputerName) $($_.Port -eq $v4.LocalEndPoint.Port) $($_.RemoteAddress) $($_.Success)" }
            """).Ok();

        Assert.Equal(new object?[] { "127.0.0.1 True 127.0.0.1 True", "127.0.0.1 False 127.0.0.1 False", "::1 True ::1 False", "::1 False ::1 True" }, result.Values);
    }

    [Fact]
    public void AThousandClosedPortsAreAllRefusedInOrderInOneCall()
    {
        using var closed = ReservedPorts.Take(1000);
        var ports = closed.Ports.ToArray();
        var watch = Stopwatch.StartNew();
        var result = Ps.Run("""
            $results = Test-SocketConnection 127.0.0.1 $args[0] -Timeout 5
            $results.Count
            ($results | Where-Object { $_.ErrorId -eq 'ConnectionRefused' -and -not $_.Success }).Count
            [string]::Join(',', $results.Port) -eq [string]::Join(',', $args[0])
            """, (object)ports).Ok();
        watch.Stop();

        Assert.Equal(new object?[] { 1000, 1000, true }, result.Values);
        // Refused connects answer at once: the whole call takes far less than one 5 s time limit.
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, Seconds(5));
    }

    [Fact]
    public void ConnectsThatTimeOutRunInParallel()
    {
        var watch = Stopwatch.StartNew();
        var result = Ps.Run(FullBacklog + """

            $started = [Diagnostics.Stopwatch]::StartNew()
            $results = Test-SocketConnection 127.0.0.1 (@($port) * 64) -Timeout 1
            $started.Elapsed.TotalSeconds
            ($results | Where-Object { $_.ErrorId -eq 'OperationTimeout' }).Count
            $results[63].Error -eq "Timed out after 1 s connecting to 127.0.0.1:$port."
            """).Ok();
        watch.Stop();

        Assert.Equal(64, result.Output[1].BaseObject);
        Assert.Equal(true, result.Output[2].BaseObject);
        // 64 time limits of 1 s one after the other would take 64 s; at once they take about one.
        Assert.InRange((double)result.Output[0].BaseObject, 0.95, 8);
    }

    [Fact]
    public void ThrottleLimitBoundsHowManyChecksRunAtOnce()
    {
        var result = Ps.Run(FullBacklog + """

            $started = [Diagnostics.Stopwatch]::StartNew()
            $results = Test-SocketConnection 127.0.0.1 (@($port) * 16) -Timeout 0.5 -ThrottleLimit 8
            $started.Elapsed.TotalSeconds
            ($results | Where-Object { $_.ErrorId -eq 'OperationTimeout' }).Count
            """).Ok();

        Assert.Equal(16, result.Output[1].BaseObject);
        // Two rounds of eight: at least two time limits, far from sixteen.
        Assert.InRange((double)result.Output[0].BaseObject, 0.95, 6);
    }

    [Fact]
    public void ResultsStreamInOrderEachAsSoonAsEveryEarlierOneIsDone()
    {
        using var closed = ReservedPorts.Take(2);
        var result = Ps.Run(FullBacklog + """

            $watch = [Diagnostics.Stopwatch]::StartNew()
            Test-SocketConnection 127.0.0.1 $args[0], $port, $args[1] -Timeout 2 |
                ForEach-Object { [pscustomobject]@{ Port = $_.Port; ErrorId = $_.ErrorId; At = $watch.Elapsed.TotalSeconds } }
            """, closed.Ports[0], closed.Ports[1]).Ok();

        var rows = result.Output.Select(o => (Port: (int)o.Properties["Port"].Value, Id: (string)o.Properties["ErrorId"].Value, At: (double)o.Properties["At"].Value)).ToList();
        Assert.Equal(new[] { "ConnectionRefused", "OperationTimeout", "ConnectionRefused" }, rows.Select(r => r.Id));
        Assert.Equal(closed.Ports[0], rows[0].Port);
        Assert.Equal(closed.Ports[1], rows[2].Port);
        // The first is written while the second still waits; the third, done long before, waits for the second.
        Assert.InRange(rows[0].At, 0, 1.5);
        Assert.InRange(rows[1].At, 1.9, 10);
        Assert.InRange(rows[2].At - rows[1].At, 0, 0.5);
    }

    [Fact]
    public void QuietGivesOneBooleanPerPair()
    {
        using var closed = ReservedPorts.Take(1);
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            Test-SocketConnection 127.0.0.1 $l.LocalEndPoint.Port, $args[0] -Quiet
            Test-SocketConnection "127.0.0.1:$($l.LocalEndPoint.Port)" -Quiet
            """, closed.Ports[0]).Ok();

        Assert.Equal(new object?[] { true, false, true }, result.Values);
        Assert.All(result.Values, v => Assert.IsType<bool>(v));
    }

    [Theory]
    [InlineData("banner")]
    [InlineData("trickle")]
    public void ABannerIsFoundAsLiteralText(string mode)
    {
        using var peer = PythonPeer.Listening("check_peer.py", mode, "SSH-2.0-OpenSSH_9.2p1 (test)");
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Expect 'SSH-2.0' -Timeout 5
            $r.Success; $r.Response.StartsWith('SSH-2.0')
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Expect '9.2p1 (test)' -Timeout 5
            $r.Success; $r.Response.TrimEnd()
            """, peer.Port).Ok();

        // The text is found whether it arrives in one piece or byte by byte (reading stops once it is there).
        Assert.Equal(new object?[] { true, true, true, "SSH-2.0-OpenSSH_9.2p1 (test)" }, result.Values);
    }

    [Fact]
    public void APingIsAnsweredWithPong()
    {
        using var peer = PythonPeer.Listening("check_peer.py", "pong");
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Send "PING`r`n" -Expect '+PONG' -Timeout 5
            $r.Success; $r.Response; $r.Error
            """, peer.Port).Ok();

        Assert.Equal(new object?[] { true, "+PONG\r\n", null }, result.Values);
    }

    [Fact]
    public void AWrongExpectationFailsAndSaysWhatArrived()
    {
        using var banner = PythonPeer.Listening("check_peer.py", "banner");
        using var pong = PythonPeer.Listening("check_peer.py", "pong");
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Expect 'HTTP/1.1' -Timeout 0.5
            $r.Success; $r.ErrorId; $r.Error; $r.Response
            $r = Test-SocketConnection 127.0.0.1 $args[1] -Send "HELLO`r`n" -Expect '+PONG' -Timeout 5
            $r.Success; $r.ErrorId; $r.Error
            """, banner.Port, pong.Port).Ok();

        Assert.Equal(new object?[]
        {
            false, "UnexpectedResponse",
            $"Timed out after 0.5 s waiting for 'HTTP/1.1' from 127.0.0.1:{banner.Port}; what arrived instead: 'SSH-2.0-PsSocketsTest\\r\\n'.",
            "SSH-2.0-PsSocketsTest\r\n",
            false, "UnexpectedResponse",
            $"Expected '+PONG' from 127.0.0.1:{pong.Port}, but it closed the connection after sending '-ERR unknown command\\r\\n'.",
        }, result.Values);
    }

    [Fact]
    public void APeerThatSaysNothingTimesOutAndSendAloneTakesTheFirstAnswer()
    {
        using var silent = PythonPeer.Listening("check_peer.py", "silent");
        using var pong = PythonPeer.Listening("check_peer.py", "pong");
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Expect 'SSH-2.0' -Timeout 0.3
            $r.Success; $r.ErrorId; $r.Error; $r.Response
            $r = Test-SocketConnection 127.0.0.1 $args[1] -Send "PING`r`n" -Timeout 5
            $r.Success; $r.Response
            """, silent.Port, pong.Port).Ok();

        Assert.Equal(new object?[]
        {
            false, "OperationTimeout", $"Timed out after 0.3 s waiting for 'SSH-2.0' from 127.0.0.1:{silent.Port}; nothing arrived.", string.Empty,
            true, "+PONG\r\n",
        }, result.Values);
    }

    [Fact]
    public void ANameThatDoesNotResolveFailsEachOfItsPortsAsDoesAnAddressOfTheWrongFamily()
    {
        var result = Ps.Run("""
            Test-SocketConnection nonexistent.invalid 80, 443 -Timeout 5 |
                ForEach-Object { "$($_.Port) $($_.Success) $($_.ErrorId) $($null -eq $_.RemoteAddress)" }
            $l = Start-SocketListener -Port 0
            (Test-SocketConnection 127.0.0.1 $l.LocalEndPoint.Port -AddressFamily InterNetwork).Success
            $r = Test-SocketConnection 127.0.0.1 $l.LocalEndPoint.Port -AddressFamily InterNetworkV6
            $r.ErrorId; $r.Error
            """).Ok();

        Assert.Equal(new object?[]
        {
            "80 False HostNotFound True", "443 False HostNotFound True",
            true, "HostNotFound", "Cannot resolve host '127.0.0.1': it has no address of family InterNetworkV6.",
        }, result.Values);
    }

    [Fact]
    public void PairsPipeInByPropertyNameAndSocketsAsTheirEndpoints()
    {
        using var closed = ReservedPorts.Take(1);
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            $open = $l.LocalEndPoint.Port
            $c = Connect-Socket 127.0.0.1 $open
            @(
                [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $open }
                [pscustomobject]@{ HostName = '127.0.0.1'; Port = $args[0] }
                [pscustomobject]@{ ComputerName = "127.0.0.1:$open" }
            ) | Test-SocketConnection | ForEach-Object { "$($_.Port -eq $open) $($_.Success)" }
            $l, $c | Test-SocketConnection | ForEach-Object { "$($_.ComputerName) $($_.Port -eq $open) $($_.Success)" }
            '127.0.0.1', '[::1]' | Test-SocketConnection -Port $open | ForEach-Object { "$($_.ComputerName) $($_.Success)" }
            Resolve-SocketAddress 127.0.0.1 -Port $open | Test-SocketConnection | ForEach-Object { "resolved $($_.Success)" }
            Test-SocketConnection "[::1]:$open" | ForEach-Object { "$($_.ComputerName) $($_.Port -eq $open) $($_.ErrorId)" }
            """, closed.Ports[0]).Ok();

        Assert.Equal(new object?[]
        {
            "True True", "False False", "True True",
            "127.0.0.1 True True", "127.0.0.1 True True",
            "127.0.0.1 True", "::1 False",
            "resolved True",
            "::1 True ConnectionRefused",
        }, result.Values);
    }

    [Fact]
    public void APortMissingOrGivenTwiceIsAnErrorAndTheOtherNamesAreStillChecked()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            $open = $l.LocalEndPoint.Port
            Test-SocketConnection 127.0.0.1, "127.0.0.1:$open" -Port $open | ForEach-Object { "checked $($_.Success)" }
            Test-SocketConnection 127.0.0.1, "127.0.0.1:$open" | ForEach-Object { "checked $($_.Success)" }
            """);

        Assert.Equal(new object?[] { "checked True", "checked True" }, result.Values);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal("PortMissingOrTwice,PsSockets.Commands.TestSocketConnectionCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.NotNull(e.TargetObject);
        });
        Assert.Contains("has a port already", result.Errors[0].ToString());
        Assert.Contains("needs a port for '127.0.0.1'", result.Errors[1].ToString());
    }

    [Fact]
    public void TlsParametersWithoutTlsAreRefusedBeforeAnyCheck()
    {
        var result = Ps.Run("Test-SocketConnection 127.0.0.1 443 -SkipCertificateCheck");

        AssertError(result, "TlsParameterWithoutTls", ErrorCategory.InvalidArgument, "TestSocketConnectionCommand");
        Assert.Contains("-SkipCertificateCheck is a TLS setting: add -Tls.", result.OnlyError.ToString());
        Assert.Empty(result.Values);
    }

    [Fact]
    public async Task WaitReturnsSoonAfterThePortStartsListening()
    {
        using var later = ReservedPorts.Take(1);
        var watch = Stopwatch.StartNew();
        var checking = Task.Run(() => Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Wait -Timeout 30
            $r.Success; $r.Attempts; $r.Elapsed.TotalSeconds; $r.ErrorId
            """, later.Ports[0]));

        // The service comes up two seconds into the wait: the scenario, not a synchronisation.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(checking.IsCompleted, "the check returned before the port listened");
        later.Listen(0);
        var listening = watch.Elapsed;
        var result = (await checking.WaitAsync(TimeSpan.FromSeconds(40))).Ok();
        var returned = watch.Elapsed;

        Assert.Equal(true, result.Output[0].BaseObject);
        Assert.InRange((int)result.Output[1].BaseObject, 3, 1000);
        Assert.InRange((double)result.Output[2].BaseObject, 1.9, 30);
        Assert.Null(result.Output[3]);
        // Back-off is at most half a second: the check connects well within a second of the port opening.
        Assert.InRange(returned - listening, TimeSpan.Zero, Seconds(1.5));
    }

    [Fact]
    public void WaitGivesUpAtItsTimeoutWithTheLastReason()
    {
        using var closed = ReservedPorts.Take(1);
        var result = Ps.Run("""
            $r = Test-SocketConnection 127.0.0.1 $args[0] -Wait -Timeout 1
            $r.Success; $r.ErrorId; $r.Attempts -gt 3; $r.Elapsed.TotalSeconds; $r.Error
            """, closed.Ports[0]).Ok();

        Assert.Equal(new object?[] { false, "ConnectionRefused", true }, result.Values.Take(3));
        Assert.InRange((double)result.Output[3].BaseObject, 0.9, 5);
        Assert.Matches($@"^127\.0\.0\.1:{closed.Ports[0]} was not ready within 1 s \(\d+ attempts\); the last one: Cannot connect to 127\.0\.0\.1:{closed.Ports[0]}: Connection refused\.$",
            (string)result.Output[4].BaseObject);
    }

    [Fact]
    public void ResultsPrintAsATableWithinEightyColumns()
    {
        using var closed = ReservedPorts.Take(1);
        var run = ShellProcess.Run(["-NoProfile", "-Command",
            $"$l = Start-SocketListener -Port 0; Test-SocketConnection 127.0.0.1, nonexistent.invalid $l.LocalEndPoint.Port, {closed.Ports[0]}"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("ComputerName Port Address Success LatencyMs Tls Error", Regex.Replace(run.Output, "[ \t]+", " "));
        Assert.Matches($@"\n127\.0\.0\.1\s+\d+ 127\.0\.0\.1\s+True\s+\d+\.\d\d\s*\n127\.0\.0\.1\s+{closed.Ports[0]} 127\.0\.0\.1\s+False\s+ConnectionRefused", run.Output);
        Assert.Matches(@"\nnonexistent\.in…\s+\d+\s+False\s+HostNotFound", run.Output);
        Assert.All(run.Output.Split('\n'), line => Assert.InRange(line.TrimEnd('\r').Length, 0, 80));
    }
}
