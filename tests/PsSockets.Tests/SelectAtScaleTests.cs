using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PsSockets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace PsSockets.Tests;

/// <summary>
/// select() where it hurts in C: thousands of sockets (descriptors far past select(2)'s 1,024), one of
/// them ready; sockets from the pipeline; a closed socket in the list; a peer that resets while the
/// select waits. Serial: it holds thousands of descriptors and counts them afterwards.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SelectAtScaleTests(PsSession ps, ITestOutputHelper output) : SocketTestBase(ps)
{
    private const int WantedPairs = 2000;

    // $n connected pairs: $clients[i] is connected to $servers[i].
    private const string Pairs = """
        param($n)
        $l = Start-SocketListener -Port 0 -Backlog 512
        $port = $l.LocalEndPoint.Port
        $clients = [System.Collections.Generic.List[object]]::new()
        $servers = [System.Collections.Generic.List[object]]::new()
        for ($i = 0; $i -lt $n; $i++) {
            $clients.Add((Connect-Socket 127.0.0.1 $port))
            $servers.Add((Wait-SocketConnection $l -Timeout 5))
        }
        $pick = [int]($n * 3 / 4)
        """;

    [Fact]
    public void OneReadySocketAmongThousandsIsFoundFromAListAndFromThePipeline()
    {
        int pairs = PairsThatFit();
        int before = OpenDescriptors();
        var setup = Ps.Run(Pairs + """

            [int]$servers[-1].Socket.Handle
            """, pairs).Ok();
        Assert.True((int)setup.Single! > 1024, $"the last descriptor is {setup.Single}: the list does not reach past select(2)'s FD_SETSIZE");

        var result = Ps.Run("""
            Send-SocketData $clients[$pick] "x"
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $r = Select-Socket -Read $servers -Timeout 5
            $listTook = $sw.Elapsed.TotalMilliseconds
            $r.Read.Count; [object]::ReferenceEquals($r.Read[0], $servers[$pick]); $r.Error.Count
            $p = $servers | Select-Socket -Read -Timeout 5
            $p.Read.Count; [object]::ReferenceEquals($p.Read[0], $servers[$pick])
            $g = Get-Socket | Select-Socket -Read -Timeout 1
            $g.Read.Count; [object]::ReferenceEquals($g.Read[0], $servers[$pick])
            $w = $clients | Select-Socket -Write -Timeout 5
            $w.Write.Count -eq $clients.Count
            "select over $($servers.Count) sockets, one ready: $listTook ms"
            """).Ok();
        output.WriteLine(result.Values.Last()!.ToString());
        Assert.Equal(new object?[] { 1, true, 0, 1, true, 1, true, true }, result.Values.SkipLast(1));

        // A socket closed in the middle of the list: reported in Error, the ready one still found.
        var closed = Ps.Run("""
            Close-Socket $servers[10]
            $r = Select-Socket -Read $servers -Timeout 5
            $r.Read.Count; [object]::ReferenceEquals($r.Read[0], $servers[$pick])
            $r.Error.Count; [object]::ReferenceEquals($r.Error[0], $servers[10])
            """).Ok();
        Assert.Equal(new object?[] { 1, true, 1, true }, closed.Values);

        Ps.Run("Get-Socket | Close-Socket").Ok();
        Assert.InRange(OpenDescriptors(), 0, before + 2);
    }

    [Fact]
    public async Task APeerThatResetsMidSelectIsReportedInErrorWithTheReasonAndTheCallGoesOn()
    {
        using var peer = MisbehavingPeer.Listening("stall", "reset");
        Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            $l = Start-SocketListener -Port 0
            $other = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $quiet = Wait-SocketConnection $l -Timeout 5     # nothing to read, and $l has no connection waiting
            """, peer.Port).Ok();
        peer.Expect("ACCEPTED");
        peer.Expect("STALLED");
        using var ready = new ManualResetEventSlim();
        Ps.Set("ready", ready);
        var select = Task.Run(() => Ps.Run("""
            $ready.Set()
            $r = Select-Socket -Read $c, $l, $quiet -Timeout 20
            $r.TimedOut; $r.Read.Count; $r.Error.Count; [object]::ReferenceEquals($r.Error[0], $c)
            """));
        Assert.True(ready.Wait(Seconds(20)), "the script never got to Select-Socket");
        peer.Resume();
        peer.Expect("RESUMED");
        peer.Expect("RESET");
        var selected = await select.WaitAsync(Seconds(20)); // a TimeoutException says Select-Socket did not return when the peer reset
        Assert.Equal(new object?[] { false, 0, 1, true }, selected.Ok().Values);

        var after = Ps.Run("""
            $c.State; $c.LastError.ErrorId; $c.LastError.Message -like '*reset*'
            Receive-SocketData $c -Timeout 1 -ErrorAction SilentlyContinue -ErrorVariable failed
            $failed[0].FullyQualifiedErrorId
            $again = Select-Socket -Read $c, $quiet -Timeout 5
            $again.Error.Count; $again.Read.Count
            """).Ok();
        Assert.Equal(new object?[] { "Failed", "ConnectionReset", true, "ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand", 1, 0 },
            SocketLifecycleTests.Normalize(after));
    }

    /// <summary>How many pairs this process can hold: the soft descriptor limit raised if it must be, with room to spare.</summary>
    private int PairsThatFit()
    {
        long limit = DescriptorLimit.RaiseTo(2 * WantedPairs + 512);
        int pairs = (int)Math.Min(WantedPairs, (limit - OpenDescriptors() - 256) / 2);
        if (pairs < WantedPairs)
        {
            output.WriteLine($"ulimit -n allows {limit} descriptors here (hard limit reached): {pairs} pairs instead of {WantedPairs}.");
        }
        Assert.True(pairs > 600, $"ulimit -n is {limit}: too low to open enough sockets to pass descriptor 1,024 (raise the hard limit)");
        return pairs;
    }
}
