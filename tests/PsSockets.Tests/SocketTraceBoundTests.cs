using System;
using System.Linq;
using System.Security.Cryptography;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>A trace keeps within its budget in bytes however much goes through the socket (issue 10, part 2).</summary>
[Collection(SerialCollection.Name)]
public sealed class SocketTraceBoundTests : SocketTestBase
{
    private const int Chunk = 64 * 1024;
    private const int Chunks = 16 * 1024; // 1 GiB
    private const int Limit = 256 * 1024;

    public SocketTraceBoundTests(PsSession ps)
        : base(ps)
    {
    }

    [Fact]
    public void OneGibibyteThroughATracedSocketKeepsTheTraceWithinItsBound()
    {
        using var sink = PythonPeer.Listening("hash_sink_server.py");
        var result = Ps.RunWithin(TimeSpan.FromMinutes(3), """
            param($port, $chunkSize, $chunks, $limit)
            $chunk = [byte[]]::new($chunkSize)
            for ($i = 0; $i -lt $chunkSize; $i++) { $chunk[$i] = $i % 251 }
            $c = Connect-Socket 127.0.0.1 $port -TraceLimit $limit -Timeout 60
            $before = [GC]::GetTotalMemory($true)
            $costs = [Collections.Generic.List[long]]::new()
            1..$chunks | ForEach-Object {
                if ($_ % 256 -eq 0) { $costs.Add($c.Trace.Cost) }
                ,$chunk
            } | Send-SocketData $c
            $after = [GC]::GetTotalMemory($true)
            Disconnect-Socket $c -Direction Send
            $reply = Receive-SocketData $c -Line -Timeout 60
            $entries = Get-SocketTrace $c -WarningAction SilentlyContinue
            $kept = 0; foreach ($e in $entries) { $kept += $e.Data.Length + [PsSockets.SocketTrace]::EntryCost }
            $c.BytesSent
            $reply
            [Linq.Enumerable]::Max($costs)
            $costs.Count
            $kept -eq $c.Trace.Cost
            $c.Trace.Limit
            $c.Trace.Recorded -eq ($c.Trace.Dropped + $entries.Count)
            $entries[-1].Sequence -eq $c.Trace.Recorded
            $after - $before
            Close-Socket $c
            """, sink.Port, Chunk, Chunks, Limit).Ok().Values.ToList();

        long total = (long)Chunk * Chunks;
        Assert.Equal(total, result[0]);
        Assert.Equal($"{total} {ExpectedSha256()}", result[1]);
        Assert.InRange(Convert.ToInt64(result[2]), 1, Limit);      // sampled through the transfer, never past the bound
        Assert.Equal(Chunks / 256, Convert.ToInt32(result[3]));
        Assert.Equal(true, result[4]);
        Assert.Equal((long)Limit, result[5]);
        Assert.Equal(true, result[6]);                              // every entry recorded is either kept or counted as dropped
        Assert.Equal(true, result[7]);                              // the kept ones are the newest
        Assert.InRange(Convert.ToInt64(result[8]), long.MinValue, 16L * 1024 * 1024);
    }

    private static string ExpectedSha256()
    {
        var chunk = new byte[Chunk];
        for (int i = 0; i < Chunk; i++)
        {
            chunk[i] = (byte)(i % 251);
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < Chunks; i++)
        {
            hash.AppendData(chunk);
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}
