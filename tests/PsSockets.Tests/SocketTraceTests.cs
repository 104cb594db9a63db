using System;
using System.Collections.Generic;
using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// The per-socket trace (issue 10, part 2): what -Trace, Enable-SocketTrace and Get-SocketTrace record, checked
/// against what a python3 peer logged of the same conversation, call by call.
/// </summary>
public sealed class SocketTraceTests : SocketTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public SocketTraceTests(PsSession ps)
        : base(ps) => Ps.Run("Disable-SocketTrace").Ok();

    [Fact]
    public void AClientTraceHoldsTheConversationThePythonServerLogged()
    {
        using var server = PythonPeer.Listening("conversation_peer.py", "server");
        var entries = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Trace -Timeout 10
            $null = Receive-SocketData $c -Line
            Send-SocketData $c "HELLO`r`n"
            $null = Receive-SocketData $c -Line
            Send-SocketData $c "BIN`r`n"
            $null = Receive-SocketData $c -Count 256 -AsByteArray
            Disconnect-Socket $c -Direction Send
            $null = Receive-SocketData $c -ToEnd
            Close-Socket $c
            Get-SocketTrace $c
            """, server.Port).Ok().Output.Select(Entry.Of).ToList();

        Assert.Equal(Turns(PythonLog(server), mirror: true), Turns(entries));
        Assert.Equal("Connect", entries[0].Event);
        Assert.Equal($"127.0.0.1:{server.Port}", entries[0].RemoteEndPoint);
        Assert.Equal(new[] { "Shutdown", "End", "Close" },
            entries.Where(e => e.Event is "Shutdown" or "End" or "Close").Select(e => e.Event));
        Assert.Equal("SHUT_WR", entries.Single(e => e.Event == "Shutdown").Detail);
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.First.Time <= p.Second.Time));
        var binary = entries.Where(e => e.Direction == "In").SelectMany(e => e.Data).Skip("220 ready\r\necho HELLO\r\n".Length).Take(256);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (byte)i), binary);
    }

    [Fact]
    public void AListenerTracesEachConnectionItAcceptsAndAPythonClientAgrees()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0 -Trace -TraceLimit 64KB
            $l.LocalEndPoint.Port
            """).Ok();
        int port = Convert.ToInt32(result.Single);
        using var client = PythonPeer.Start("conversation_peer.py", "client", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var entries = Ps.Run("""
            $s = Wait-SocketConnection -Listener $l -Timeout 20
            Send-SocketData $s "220 ready`r`n"
            Send-SocketData $s ("echo " + (Receive-SocketData $s -Line -Timeout 10) + "`r`n")
            $null = Receive-SocketData $s -Line -Timeout 10
            Send-SocketData $s ([byte[]](0..255))
            $null = Receive-SocketData $s -ToEnd -Timeout 10
            Send-SocketData $s "bye`r`n"
            Close-Socket $s
            ,@(Get-SocketTrace $l)
            ,@(Get-SocketTrace $s)
            $s.Trace.Limit
            """).Ok().Values.ToList();
        var listener = ((object[])entries[0]!).Select(Entry.Of).ToList();
        var accepted = ((object[])entries[1]!).Select(Entry.Of).ToList();

        Assert.Equal(Turns(PythonLog(client), mirror: true), Turns(accepted));
        var accept = Assert.Single(listener);
        Assert.Equal("Accept", accept.Event);
        Assert.Equal($"#{accepted[0].Socket}", accept.Detail);
        Assert.Equal(accept.RemoteEndPoint, accepted[0].RemoteEndPoint);
        Assert.Equal("Accept", accepted[0].Event);
        Assert.Equal(64 * 1024L, entries[2]);
    }

    [Fact]
    public void TheSessionSwitchTracesEverySocketMadeAfterItUntilDisabled()
    {
        var result = Ps.Run("""
            $before = Connect-Socket 127.0.0.1 (Start-SocketListener -Port 0).LocalEndPoint.Port
            Enable-SocketTrace -Limit 4KB
            $a, $b = New-SocketPair
            Send-SocketData $a 'ping'
            $null = Receive-SocketData $b -Count 4
            $l = Start-SocketListener -Port 0
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $s = Wait-SocketConnection $l -Timeout 5
            Disable-SocketTrace
            Send-SocketData $a 'after'
            $null = Receive-SocketData $b -Count 5
            $after = New-Socket
            $null -eq $before.Trace
            ($a.Trace.Limit, $b.Trace.Limit, $l.Trace.Limit, $c.Trace.Limit, $s.Trace.Limit) -join ','
            (Get-SocketTrace $a | ForEach-Object { "$($_.Event) $($_.Text)" }) -join '|'
            (Get-SocketTrace $b | ForEach-Object { "$($_.Event) $($_.Text)" }) -join '|'
            $a.Trace.IsRecording
            $null -eq $after.Trace
            (Get-SocketTrace $c).Event -join ','
            """).Ok();
        Assert.Equal(new object?[] { true, "4096,4096,4096,4096,4096", "Connect |Send ping", "Connect |Receive ping", false, true, "Connect" }, result.Values);
    }

    [Fact]
    public void DatagramsAreTracedWithTheirSenderAndDestination()
    {
        using var peer = PythonPeer.Listening("udp_peer.py", "server", "127.0.0.1");
        var entries = Ps.Run("""
            $u = New-Socket -Type Dgram -Trace
            Send-SocketData $u 'one' -To "127.0.0.1:$($args[0])"
            $null = Receive-SocketData $u -Timeout 10
            Get-SocketTrace $u
            """, peer.Port).Ok().Output.Select(Entry.Of).ToList();
        Assert.Equal(new[] { "Send", "Receive" }, entries.Select(e => e.Event));
        Assert.All(entries, e => Assert.Equal($"127.0.0.1:{peer.Port}", e.RemoteEndPoint));
        Assert.Equal("one", entries[0].Text);
    }

    [Fact]
    public void AResetIsTracedAsAFailure()
    {
        using var peer = MisbehavingPeer.Listening("read:4", "reset");
        var entries = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Trace
            Send-SocketData $c 'ping'
            Receive-SocketData $c -Timeout 10 -ErrorAction SilentlyContinue
            Get-SocketTrace $c
            """, peer.Port).Ok().Output.Select(Entry.Of).ToList();
        Assert.Equal(new[] { "Connect", "Send", "Failure" }, entries.Select(e => e.Event));
        Assert.StartsWith("ConnectionReset: ", entries[2].Detail);
    }

    [Fact]
    public void ATlsSocketTracesThePlaintextNotTheRecords()
    {
        var entries = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -SelfSignedCertificate -Handler {
                param($c)
                Send-SocketData $c ((Receive-SocketData $c -Line -Timeout 10) + " back`n")
            }
            try {
                $c = Connect-Socket localhost $srv.LocalEndPoint.Port -Tls -SkipCertificateCheck -Trace -Timeout 10 -WarningAction SilentlyContinue
                Send-SocketData $c "secret over tls`n"
                $null = Receive-SocketData $c -Line -Timeout 10
                Get-SocketTrace $c -Event Send, Receive
            }
            finally { Stop-SocketServer $srv }
            """).Ok().Output.Select(Entry.Of).ToList();
        Assert.Equal(new[] { "Out secret over tls\\n", "In secret over tls back\\n" }, entries.Select(e => $"{e.Direction} {e.Text}"));
    }

    [Fact]
    public void GetSocketTraceFindsClosedSocketsByIdFiltersAndSaysWhatIsMissing()
    {
        var result = WithPair("""
            Enable-SocketTrace $c, $s
            1..5 | ForEach-Object { Send-SocketData $c "m$_" }
            $null = Receive-SocketData $s -Count 10
            Close-Socket $c
            (Get-SocketTrace -Id $c.Id -Event Send -Last 2).Text -join ','
            [bool](Get-SocketTrace | Where-Object Socket -eq $c.Id)
            Get-SocketTrace -Id 99999 -ErrorAction SilentlyContinue -ErrorVariable e1; $e1[0].FullyQualifiedErrorId
            Get-SocketTrace $l -ErrorAction SilentlyContinue -ErrorVariable e2; $e2[0].FullyQualifiedErrorId
            Clear-SocketTrace $s -WhatIf; @(Get-SocketTrace $s).Count
            Clear-SocketTrace $s; @(Get-SocketTrace $s).Count
            Send-SocketData $s 'x'; @(Get-SocketTrace $s).Count
            """).Ok();
        Assert.Equal("m4,m5", result.Values.ElementAt(0));
        Assert.Equal(true, result.Values.ElementAt(1));
        Assert.Equal("SocketNotFound,PsSockets.Commands.GetSocketTraceCommand", result.Values.ElementAt(2));
        Assert.Equal("SocketNotTraced,PsSockets.Commands.GetSocketTraceCommand", result.Values.ElementAt(3));
        Assert.Equal(new object?[] { 1, 0, 1 }, result.Values.Skip(4));
    }

    /// <summary>A trace entry as the test reads it from the PowerShell object.</summary>
    private sealed record Entry(int Socket, long Sequence, DateTime Time, string Event, string Direction, byte[] Data, string? RemoteEndPoint, string? Detail, string Text)
    {
        public static Entry Of(object? item)
        {
            var o = item as System.Management.Automation.PSObject ?? new System.Management.Automation.PSObject(item);
            T P<T>(string name) => (T)o.Properties[name].Value;
            return new Entry(P<int>("Socket"), P<long>("Sequence"), P<DateTime>("Time"), P<object>("Event").ToString()!, P<object>("Direction").ToString()!,
                P<byte[]>("Data"), P<string?>("RemoteEndPoint"), P<string?>("Detail"), P<string>("Text"));
        }
    }

    /// <summary>What python3 logged, one (direction, bytes) per call: SENT is Out, RECV In; END and CLOSED end it.</summary>
    private static List<(string, byte[])> PythonLog(PythonPeer peer)
    {
        var calls = new List<(string, byte[])>();
        for (string line = peer.ReadLine(Wait); line != "CLOSED"; line = peer.ReadLine(Wait))
        {
            string[] words = line.Split(' ');
            calls.Add(words[0] switch
            {
                "SENT" => ("Out", Convert.FromHexString(words[1])),
                "RECV" => ("In", Convert.FromHexString(words[1])),
                "END" => ("In", []),
                _ => throw new InvalidOperationException($"The peer logged '{line}'."),
            });
        }
        return calls;
    }

    private static List<string> Turns(IEnumerable<Entry> entries) =>
        Turns(entries.Where(e => e.Event is "Send" or "Receive").Select(e => (e.Direction, e.Data)), mirror: false);

    /// <summary>
    /// The bytes of the conversation as turns: consecutive calls of one direction joined, since how TCP cuts a stream
    /// into recv calls is the OS's business. <paramref name="mirror"/> turns the peer's view into ours (its sends are
    /// our receives). Ends of stream are checked apart: the peer's END is our shutdown.
    /// </summary>
    private static List<string> Turns(IEnumerable<(string Direction, byte[] Data)> calls, bool mirror)
    {
        var turns = new List<string>();
        string? last = null;
        foreach (var (direction, data) in calls.Where(c => c.Data.Length > 0))
        {
            string ours = mirror ? (direction == "Out" ? "In" : "Out") : direction;
            if (ours == last)
            {
                turns[^1] += Convert.ToHexString(data);
            }
            else
            {
                turns.Add($"{ours} {Convert.ToHexString(data)}");
            }
            last = ours;
        }
        return turns;
    }
}
