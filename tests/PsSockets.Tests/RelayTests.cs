using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Threading;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Start-SocketRelay between real peers (python3 and socat): bytes both ways checked by hash, half-closes
/// carried across, TCP to unix and back, UDP sessions, a refusing target, the trace and the counters.
/// With PSSOCKETS_HEAVY_TESTS=1 the bulk test moves 256 MiB each way and the concurrency test runs 500 clients.
/// </summary>
public sealed class RelayTests(PsSession ps) : SocketTestBase(ps), IDisposable
{
    private static readonly bool Heavy = Environment.GetEnvironmentVariable("PSSOCKETS_HEAVY_TESTS") == "1";
    private static readonly int BulkBytes = Heavy ? 256 * 1024 * 1024 : 1024 * 1024;
    private static readonly int Clients = Heavy ? 500 : 50;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pssockets-relay-{Guid.NewGuid().ToString("n")[..8]}.sock");

    public void Dispose()
    {
        Ps.Run("Get-SocketRelay | Stop-SocketRelay").Ok();
        File.Delete(_path);
    }

    [Fact]
    public void TcpToTcpCarriesRandomBytesEachWayAtOnceAndCountsEveryByte()
    {
        using var target = PythonPeer.Listening("relay_peer.py", "duplex-server", Text(BulkBytes));
        int port = StartRelay($"Start-SocketRelay 0 127.0.0.1:{target.Port}");
        using var client = PythonPeer.Start("relay_peer.py", "duplex-client", Text(port), Text(BulkBytes));

        var clientSaw = client.ReadLine(Seconds(120)).Split(' ');  // CLIENT sent sha got sha
        var targetSaw = target.ReadLine(Seconds(120)).Split(' ');  // SERVED got sha sent sha

        Assert.Equal(new[] { "CLIENT", Text(BulkBytes) }, clientSaw[..2]);
        Assert.Equal(clientSaw[1..3], targetSaw[1..3]);    // what the client sent is what the target got
        Assert.Equal(targetSaw[3..5], clientSaw[3..5]);    // what the target sent is what the client got
        WaitUntil("$r.ActiveConnections -eq 0");
        Assert.Equal(new object?[] { (long)BulkBytes, (long)BulkBytes, 1L, 0L, "Running" },
            Ps.Run("$r.BytesUp; $r.BytesDown; $r.TotalConnections; $r.ErrorCount; \"$($r.State)\"").Ok().Values);
    }

    [Fact]
    public void AHalfCloseCrossesTheRelayAndTheAnswerStillComesBackToEnd()
    {
        using var target = PythonPeer.Listening("relay_peer.py", "answer-server");
        StartRelay($"Start-SocketRelay 0 127.0.0.1:{target.Port} -Trace");
        const string request = "GET / HTTP/1.0\r\n\r\n";

        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
            Send-SocketData $c $args[0]
            Disconnect-Socket $c -Direction Send          # the target sees EOF...
            Receive-SocketData $c -ToEnd -Timeout 10      # ...and still answers, to the end
            Close-Socket $c
            """, request).Ok();

        Assert.Equal($"18 {Sha256(System.Text.Encoding.ASCII.GetBytes(request))}\n", result.Single);
        Assert.Equal("ANSWERED 18", target.ReadLine(Seconds(10)));
        WaitUntil("$r.ActiveConnections -eq 0");
        var trace = Ps.Run("""
            $r.Trace | ForEach-Object { "$($_.Connection) $($_.Direction) $($_.Length) $($_.IsEnd) $($_.Text)" }
            """).Ok().Values;
        Assert.Equal(new object?[]
        {
            @"1 Up 18 False GET / HTTP/1.0\r\n\r\n",
            "1 Up 0 True (end of stream)",
            $@"1 Down 68 False 18 {Sha256(System.Text.Encoding.ASCII.GetBytes(request))}\n",
            "1 Down 0 True (end of stream)",
        }, trace);
    }

    [Fact]
    public void TcpToAUnixSocatTargetCarriesTheHalfClose()
    {
        using var socat = SocatPeer.ListeningOn(_path, "-t", "10", $"UNIX-LISTEN:{_path},fork", "EXEC:sha256sum");
        var payload = RandomNumberGenerator.GetBytes(256 * 1024);
        StartRelay($"Start-SocketRelay 0 'unix:{_path}'");

        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
            Send-SocketData $c $args[0]
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $c -ToEnd -Timeout 20
            Close-Socket $c
            $r.Target
            """, payload).Ok().Values.ToList();

        Assert.Equal($"{Sha256(payload)}  -\n", result[0]);
        Assert.Equal($"unix:{_path}", result[1]);
        WaitUntil("$r.ActiveConnections -eq 0");
        Assert.Equal(new object?[] { (long)payload.Length, 68L }, Ps.Run("$r.BytesUp; $r.BytesDown").Ok().Values);
    }

    [Fact]
    public void AUnixListenerRelaysASocatClientToATcpTarget()
    {
        using var target = PythonPeer.Listening("relay_peer.py", "answer-server");
        var listen = Ps.Run($"$r = Start-SocketRelay 'unix:{_path}' 127.0.0.1:{target.Port}; $r.Listen; $r.Protocol").Ok().Values;
        Assert.Equal(new object?[] { $"unix:{_path}", "Unix" }, listen);

        string answer = SocatPeer.Run("hello through unix\n", Seconds(30), "-t", "10", "-", $"UNIX-CONNECT:{_path}");

        Assert.Equal($"19 {Sha256("hello through unix\n"u8.ToArray())}\n", answer);
        Assert.Equal("ANSWERED 19", target.ReadLine(Seconds(10)));
        Ps.Run("Stop-SocketRelay $r").Ok();
        Assert.False(File.Exists(_path)); // the relay's socket file goes with it
    }

    [Fact]
    public void UdpToUdpGivesEachClientItsOwnSessionAndItsOwnAnswers()
    {
        using var target = PythonPeer.Listening("relay_peer.py", "udp-echo-server");
        int port = StartRelay($"Start-SocketRelay 0 127.0.0.1:{target.Port} -Udp -IdleTimeout 2");
        using var first = PythonPeer.Start("udp_peer.py", "client", "127.0.0.1", Text(port), "20");
        using var second = PythonPeer.Start("udp_peer.py", "client", "127.0.0.1", Text(port), "20");

        Assert.Equal($"OK 21 FROM {port}", first.ReadLine(Seconds(30)));   // every echo checked, all from the relay
        Assert.Equal($"OK 21 FROM {port}", second.ReadLine(Seconds(30)));
        var senders = Enumerable.Range(0, 42).Select(_ => target.ReadLine(Seconds(10)).Split(' ')[1]).GroupBy(p => p).ToList();
        Assert.Equal(2, senders.Count);                                    // one upstream socket per client
        Assert.All(senders, s => Assert.Equal(21, s.Count()));

        long up = 2 * (Enumerable.Range(0, 20).Sum(i => $"msg {i}".Length) + 256);
        Assert.Equal(new object?[] { up, up, 2L, 2, "Udp" },
            Ps.Run("$r.BytesUp; $r.BytesDown; $r.TotalConnections; $r.ActiveConnections; $r.Protocol").Ok().Values);
        WaitUntil("$r.ActiveConnections -eq 0", Seconds(15));              // idle sessions expire
        Assert.Equal(2L, Ps.Run("$r.TotalConnections").Ok().Single);
    }

    [Fact]
    public void ARefusingTargetResetsThatClientRecordsWhyAndTheRelayGoesOn()
    {
        var result = Ps.Run("""
            # The target's port is held while the relay takes its own, so the relay can never be given it (and forward to itself).
            $gone = Start-SocketListener -Port 0; $port = $gone.LocalEndPoint.Port
            $r = Start-SocketRelay 0 "127.0.0.1:$port"
            Close-Socket $gone
            # The relay resets its client at once, maybe before Connect-Socket looks: the connect still succeeded.
            $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
            try { Receive-SocketData $c -Timeout 10 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
            Close-Socket $c
            $r.State; $r.ErrorCount; $r.Errors[0].ErrorId; $r.Errors[0].Connection; $r.Errors[0].Message
            $t = Start-SocketListener -Port $port                 # the target comes up: the next client gets through
            $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection $t -Timeout 10
            Send-SocketData $c 'second try'
            Receive-SocketData $s -Count 10 -Timeout 10
            """).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal("ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand", result[0]);
        Assert.Equal(new[] { "Running", "1", "ConnectionRefused", "1" }, result[1..5]);
        Assert.Matches(@"^Cannot connect to 127\.0\.0\.1:\d+ for client 127\.0\.0\.1:\d+: .*\(ConnectionRefused\)\.$", result[5]);
        Assert.Equal("second try", result[6]);
    }

    [Fact]
    public void TheTraceHoldsWhatPassedAndStaysWithinItsBudget()
    {
        var result = Ps.Run("""
            $t = Start-SocketListener -Port 0
            $r = Start-SocketRelay 0 "127.0.0.1:$($t.LocalEndPoint.Port)" -TraceLimit 4KB
            $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection $t -Timeout 10
            $up = [IO.MemoryStream]::new(); $down = [IO.MemoryStream]::new()
            foreach ($i in 1..20) {
                $request = [byte[]]::new(500); [Random]::new($i).NextBytes($request); $up.Write($request, 0, 500)
                Send-SocketData $c $request
                $got = Receive-SocketData $s -Count 500 -AsByteArray -Timeout 10
                $answer = [Text.Encoding]::UTF8.GetBytes("answer $i ✓`r`n"); $down.Write($answer, 0, $answer.Length)
                Send-SocketData $s $answer
                $null = Receive-SocketData $c -Count $answer.Length -AsByteArray -Timeout 10
            }
            $trace = $r.Trace
            $keptUp = [byte[]]($trace | Where-Object Direction -eq Up | ForEach-Object { $_.Data } | ForEach-Object { $_ })
            $keptDown = [byte[]]($trace | Where-Object Direction -eq Down | ForEach-Object { $_.Data } | ForEach-Object { $_ })
            $sentUp = $up.ToArray(); $sentDown = $down.ToArray()
            [Linq.Enumerable]::SequenceEqual($keptUp, [byte[]]$sentUp[($sentUp.Length - $keptUp.Length)..($sentUp.Length - 1)])
            [Linq.Enumerable]::SequenceEqual($keptDown, [byte[]]$sentDown[($sentDown.Length - $keptDown.Length)..($sentDown.Length - 1)])
            $cost = 0; $trace | ForEach-Object { $cost += $_.Data.Length + [PsSockets.RelayTrace]::EntryCost }; $cost -le 4KB
            $trace.Count -ge 4; $r.TraceDropped -gt 0; $r.TraceLimit
            $trace[-1].Text
            $r.BytesUp -eq $sentUp.Length; $r.BytesDown -eq $sentDown.Length
            """).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(new[] { "True", "True", "True", "True", "True", "4096", @"answer 20 ✓\r\n", "True", "True" }, result);
    }

    [Fact]
    public void ManyConcurrentClientsAllGetTheirOwnEchoBack()
    {
        using var target = PythonPeer.Listening("relay_peer.py", "echo-server");
        int port = StartRelay($"Start-SocketRelay -ListenPort 0 -Target 127.0.0.1:{target.Port} -Backlog 1024 -Name many");
        using var clients = PythonPeer.Start("relay_peer.py", "many-clients", Text(port), Text(Clients), Text(64 * 1024));

        Assert.Equal($"OK {Clients}", clients.ReadLine(Seconds(180)));
        WaitUntil("$r.ActiveConnections -eq 0", Seconds(30));
        Assert.Equal(new object?[] { Clients * 64L * 1024, Clients * 64L * 1024, (long)Clients, 0L },
            Ps.Run("$r.BytesUp; $r.BytesDown; $r.TotalConnections; $r.ErrorCount").Ok().Values);
    }

    [Fact]
    public void GetSocketRelayFindsRelaysByIdAndNameAndStopSocketRelayTakesEither()
    {
        var result = Ps.Run("""
            $a = Start-SocketRelay 0 127.0.0.1:9 -Name relay-a
            $b = Start-SocketRelay 0 127.0.0.1:9 -Name relay-b
            (Get-SocketRelay).Count
            (Get-SocketRelay -Name relay-*).Name -join ','
            (Get-SocketRelay $b.Id).Name
            Stop-SocketRelay $a -WhatIf
            $a.State
            Stop-SocketRelay relay-a
            $b.Id | Stop-SocketRelay -PassThru | ForEach-Object { "$($_.State)" }
            (Get-SocketRelay).Count
            $a.State
            Get-SocketRelay -Name relay-a
            """);

        Assert.Equal(new object?[] { 2, "relay-a,relay-b", "relay-b", "Running", "Stopped", 0, "Stopped" },
            result.Values.Select(v => v is Enum ? v.ToString() : v));
        AssertError(result, "RelayNotFound", ErrorCategory.ObjectNotFound, "GetSocketRelayCommand");
    }

    [Fact]
    public void GetSocketRelayTraceWritesTheEntriesOfTheRelaysItFinds()
    {
        var result = Ps.Run("""
            $t = Start-SocketListener -Port 0
            $r = Start-SocketRelay 0 "127.0.0.1:$($t.LocalEndPoint.Port)" -Trace -Name traced
            $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection $t -Timeout 10
            Send-SocketData $c ([byte[]](0x68, 0x69, 0x00, 0x07, 0xff))
            $null = Receive-SocketData $s -Count 5 -Timeout 10
            Get-SocketRelay -Name traced -Trace | ForEach-Object { $_.GetType().Name; $_.Relay -eq $r.Id; $_.Text; $_.ToString() }
            """).Ok().Values;

        Assert.Equal(new object?[] { "RelayTraceEntry", true, "hi...", "1 -> 5 hi..." }, result);
    }

    [Theory]
    [InlineData("Start-SocketRelay 0 'no-such-host.invalid:80'", "HostNotFound", ErrorCategory.ObjectNotFound, "no-such-host.invalid")]
    [InlineData("Start-SocketRelay 0 127.0.0.1", "InvalidArgument", ErrorCategory.InvalidArgument, "a target needs a port")]
    [InlineData("Start-SocketRelay 127.0.0.1 127.0.0.1:80", "InvalidArgument", ErrorCategory.InvalidArgument, "a listen endpoint needs a port")]
    [InlineData("Start-SocketRelay 0 'unix:/tmp/x.sock' -Udp", "InvalidArgument", ErrorCategory.InvalidArgument, "a UDP relay forwards to host:port")]
    [InlineData("$l = Start-SocketListener -Port 0; Start-SocketRelay \"127.0.0.1:$($l.LocalEndPoint.Port)\" 127.0.0.1:80", "AddressInUse", ErrorCategory.ResourceBusy, "")]
    [InlineData("Start-SocketRelay 0 127.0.0.1:80 -IdleTimeout 5", "IdleTimeoutWithoutUdp", ErrorCategory.InvalidArgument, "Add -Udp")]
    [InlineData("Start-SocketRelay 0 127.0.0.1:80 -Udp -Backlog 5", "BacklogWithDatagram", ErrorCategory.InvalidArgument, "no connections to accept")]
    public void MisuseAndUnusableEndpointsAreClearErrorsAndStartNothing(string script, string errorId, ErrorCategory category, string says)
    {
        var result = Ps.Run(script);
        AssertError(result, errorId, category, "StartSocketRelayCommand");
        Assert.Contains(says, result.OnlyError.ToString());
        Assert.Equal(0, Ps.Run("@(Get-SocketRelay).Count").Ok().Single);
    }

    [Fact]
    public void RelayParametersCompleteWithTheSessionsRelays()
    {
        var result = Ps.Run("""
            $r = Start-SocketRelay 0 127.0.0.1:9 -Name completed
            $line = 'Stop-SocketRelay -Relay '
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { "$($_.CompletionText)|$($_.ToolTip)" }
            "$($r.Id)|$r"
            """).Ok().Values.ToList();

        Assert.Equal(result[^1], Assert.Single(result[..^1]));
    }

    /// <summary>Starts a relay as $r and returns the port it listens on.</summary>
    private int StartRelay(string command) =>
        Convert.ToInt32(Ps.Run($"$r = {command}; $r.ListenEndPoint.Port").Ok().Single, CultureInfo.InvariantCulture);

    /// <summary>Waits until a condition on the session (e.g. on $r's counters) is true; fails after the limit.</summary>
    private void WaitUntil(string condition, TimeSpan? limit = null) =>
        Assert.True(SpinWait.SpinUntil(() => Ps.Run(condition).Ok().Single is true, limit ?? Seconds(10)), $"Never true: {condition}");

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();
}
