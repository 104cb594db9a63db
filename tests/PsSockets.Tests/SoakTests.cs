using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PsSockets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace PsSockets.Tests;

/// <summary>
/// The soak: mixed python3 clients (peers/soak_clients.py: echo lines, length-prefixed messages, uploads,
/// streams to the end, downloads, and misbehaving ones that drip, reset, stall and truncate) against one
/// handler server, every answer checked byte for byte, while the server process is sampled.
/// 30 s by default (it runs in CI); PSSOCKETS_SOAK_SECONDS=600 runs the ten-minute soak (README).
/// The report goes to the test output and to out/soak/soak-&lt;timestamp&gt;-&lt;seconds&gt;s.md.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SoakTests : SocketTestBase
{
    private const int Workers = 24;        // well-behaved clients at once: more than the server's slots, so some queue in the backlog
    private const int FaultWorkers = 4;    // misbehaving clients at once, cycling drip, reset, truncate, drip, stall
    private const int ThrottleLimit = 16;
    private const double ServerTimeout = 5; // how long a handler waits on a silent client: what ends a stall

    // The last quarter of the run must complete at least this fraction of the median interval's sessions.
    private const double NoCollapse = 0.25;

    // Descriptors (other than loaded assemblies) and threads the process may hold after the server stopped, above what it held before it started.
    private const int DescriptorSlack = 4;
    private const int ThreadSlack = 4;

    // Managed memory alive after the server stopped and was let go, above what was alive before it started.
    private const long MemorySlack = 16L << 20;

    // One session per connection; its first line names its kind (soak_clients.py's docstring has the protocol).
    private const string SoakServer = """
        $pattern = [byte[]]::new(1MB)                  # what downloads send: the misbehaving peer's pattern, byte i = i % 256
        $period = [byte[]](0..255)
        for ($o = 0; $o -lt $pattern.Length; $o += 256) { [Array]::Copy($period, 0, $pattern, $o, 256) }
        $srv = Start-SocketListener -Port 0 -Name soak -Backlog 256 -ThrottleLimit $args[0] -Timeout $args[1] -Handler {
            param($c)
            $ErrorActionPreference = 'Stop'
            function Sha256([byte[]] $bytes) { [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes)).ToLowerInvariant() }
            $kind, $size = (Receive-SocketData $c -Line) -split ' '
            switch ($kind) {
                'echo' { Receive-SocketData $c -Line -Continuous | Send-SocketData $c -Line }
                'hash' {
                    Receive-SocketData $c -LengthPrefix 4 -AsByteArray -Continuous | ForEach-Object { Send-SocketData $c -Line (Sha256 $_) }
                }
                'upload' { Send-SocketData $c -Line (Sha256 (Receive-SocketData $c -Count $size -AsByteArray)) }
                'stream' {
                    $data = Receive-SocketData $c -ToEnd -AsByteArray
                    Send-SocketData $c -Line "$($data.Length) $(Sha256 $data)"
                }
                'download' { Send-SocketData $c ([IO.MemoryStream]::new($using:pattern, 0, [int]$size, $false)) }
                default { throw "unknown session kind '$kind'" }
            }
        }
        $srv.LocalEndPoint.Port
        """;

    private static readonly string[] ExpectedFaultIds = ["ConnectionReset", "PeerClosed", "OperationTimeout"];

    private readonly ITestOutputHelper _log;

    public SoakTests(PsSession ps, ITestOutputHelper log)
        : base(ps)
    {
        _log = log;
        ps.Run("Get-SocketServer | Stop-SocketServer").Ok();
    }

    /// <summary>PSSOCKETS_SOAK_SECONDS, or 30.</summary>
    private static int SoakSeconds =>
        int.TryParse(Environment.GetEnvironmentVariable("PSSOCKETS_SOAK_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s >= 10 ? s : 30;

    [Fact]
    public void MixedClientsGetEveryByteBackWhileMisbehavingOnesAreDroppedAndNothingLeaks()
    {
        int seconds = SoakSeconds, interval = seconds >= 120 ? 5 : 3;
        WarmUp();
        var before = ProcessSample.Now();
        var (descriptorsBefore, threadsBefore) = (ProcessSample.DescriptorKinds(), ProcessSample.ThreadNames());

        var report = new SoakReport(seconds, _log.WriteLine);
        report.Line($"# PsSockets soak, {DateTime.Now:yyyy-MM-dd HH:mm:ss}: {seconds} s, {Workers} well-behaved and {FaultWorkers} misbehaving clients at once, " +
            $"a handler server with -ThrottleLimit {ThrottleLimit} -Timeout {ServerTimeout}, {Environment.ProcessorCount} CPUs");
        report.Line("");
        report.Line("Each row is one interval: sessions completed by kind, well-behaved sessions per second, payload MB/s (bytes whose hash or echo was checked), " +
            "errors (sessions that had to succeed and did not) and surprises (faults not simply dropped) so far, then the server process now (managed MiB: alive after a full collection).");
        report.Line("");
        report.Header();
        int port = (int)Ps.Run(SoakServer, ThrottleLimit, ServerTimeout).Ok().Single!;
        var done = RunClients(port, seconds, interval, Workers, FaultWorkers, counts => report.Interval(counts, ProcessSample.Now(), ActiveHandlers()));

        // A reset client does not wait for its handler to see the reset: wait until every handler has ended.
        Assert.True(SpinWait.SpinUntil(() => ActiveHandlers() == 0, TimeSpan.FromSeconds(60)), "Handlers still running a minute after the last client ended.");
        var counters = Ps.Run("$srv.Accepted; $srv.Completed; $srv.Failed; $srv.Interrupted").Ok().Values.Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)).ToArray();
        var faultIds = Ps.Run("$srv.Errors | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }").Ok().Values.Select(v => $"{v}").ToArray();
        var stopped = Ps.Run("Stop-SocketServer $srv; $srv.State; @(Get-Socket).Count; $srv.Clients.Count").Ok().Values.Select(v => $"{v}").ToArray();
        // A stopped server keeps its last errors, and through them what they point to (its handlers' sockets and runspaces): let it go.
        Ps.Run("$srv = $null; $Error.Clear()").Ok();
        // The thread pool retires the workers the load added once they have idled 20 s: wait for that, not for a fixed time.
        // A thread that stays (an accept loop, a handler runspace's thread) keeps the count up for good.
        var settling = Stopwatch.StartNew();
        int threadsAfter = 0;
        bool settled = SpinWait.SpinUntil(() => (threadsAfter = ProcessSample.ThreadCount()) <= before.Threads + ThreadSlack, TimeSpan.FromSeconds(60));
        string newThreads = ProcessSample.Beyond(threadsBefore, ProcessSample.ThreadNames());
        settling.Stop();
        var after = ProcessSample.Now();
        var descriptorsAfter = ProcessSample.DescriptorKinds();
        string newDescriptors = ProcessSample.Beyond(descriptorsBefore, descriptorsAfter);
        // An assembly loaded while the soak ran (by the runtime, the engine or the test host) keeps its file open for the life of the process: not a leak.
        var (leakableBefore, leakableAfter) = (descriptorsBefore.Count(IsNotAssembly), descriptorsAfter.Count(IsNotAssembly));
        var perInterval = report.WellBehavedPerInterval;
        double median = Median(perInterval);
        double lastQuarter = perInterval.TakeLast(Math.Max(2, perInterval.Count / 4)).Average();
        long wellBehaved = done.Of(ClientCounts.WellBehavedKinds), slow = done.Of(ClientCounts.SlowKinds), faults = done.Of(ClientCounts.FaultKinds);
        report.Line("");
        report.Line("## Summary");
        report.Line("");
        report.Line(string.Create(CultureInfo.InvariantCulture, $"- Clients ran {done.Elapsed:0.0} s (seed {done.Seed}): {string.Join(", ", done.Sessions.Select(p => $"{p.Key} {p.Value}"))}."));
        report.Line(string.Create(CultureInfo.InvariantCulture, $"- {wellBehaved} well-behaved and {slow} dripped sessions answered, {done.Bytes / 1e6:0.0} MB of payload checked ({done.Bytes / done.Elapsed / 1e6:0.00} MB/s); {faults} faults injected."));
        report.Line($"- Errors: {done.Errors} (must be 0); surprises: {done.Surprises} (must be 0). {string.Join(" / ", done.Messages)}");
        report.Line(string.Create(CultureInfo.InvariantCulture, $"- Well-behaved sessions per interval: median {median:0}, lowest {perInterval.Min()}, last quarter's mean {lastQuarter:0.0} ({lastQuarter / median:0.00} of the median; at least {NoCollapse} required)."));
        report.Line($"- Server: accepted {counters[0]}, completed {counters[1]}, failed {counters[2]}, interrupted {counters[3]}; its newest errors: " +
            string.Join(", ", faultIds.GroupBy(id => id).Select(g => $"{g.Key} {g.Count()}")) + $"; after Stop-SocketServer: {stopped[0]}, Get-Socket {stopped[1]}, clients {stopped[2]}.");
        report.Line($"- Descriptors: {before.Descriptors} before, {report.Peak.Descriptors} at most, {after.Descriptors} after; other than assemblies: {leakableBefore} before, {leakableAfter} after (at most +{DescriptorSlack}). New: {newDescriptors}");
        report.Line($"- Threads: {before.Threads} before, {report.Peak.Threads} at most, {threadsAfter} after, {settling.Elapsed.TotalSeconds:0} s after the stop (at most +{ThreadSlack}, within 60 s). New then: {newThreads}");
        report.Line($"- Managed memory (alive, after a full collection): {before.ManagedMiB} MiB before, {report.Peak.ManagedMiB} MiB at most, {after.ManagedMiB} MiB after the server was let go (at most +{MemorySlack >> 20} MiB).");
        report.Line($"- Report: {report.FilePath}");

        Assert.True(done.Errors == 0, $"{done.Errors} sessions that had to succeed failed: {string.Join(" / ", done.Messages)}");
        Assert.True(done.Surprises == 0, $"{done.Surprises} misbehaving sessions were not simply dropped: {string.Join(" / ", done.Messages)}");
        Assert.All(done.Sessions, kind => Assert.True(kind.Value > 0, $"No {kind.Key} session ran."));

        // The server saw what the clients saw: every answered session completed, every injected fault failed its handler.
        Assert.Equal(new[] { wellBehaved + slow + faults, wellBehaved + slow, faults, 0L }, counters);
        Assert.All(faultIds, id => Assert.Contains(id, ExpectedFaultIds));
        Assert.Equal(new[] { "Stopped", "0", "0" }, stopped);

        Assert.True(leakableAfter <= leakableBefore + DescriptorSlack, $"{leakableAfter - leakableBefore} more descriptors than before: {newDescriptors}");
        Assert.True(settled, $"{threadsAfter - before.Threads} more threads than before a minute after the stop: {newThreads}");
        Assert.InRange(after.ManagedBytes, 0, before.ManagedBytes + MemorySlack);

        // Throughput over time: no interval without a completed session, and no collapse by the end.
        Assert.True(perInterval.Min() > 0, "An interval passed with no well-behaved session completed: " + string.Join(", ", perInterval));
        Assert.True(lastQuarter >= NoCollapse * median, $"Throughput collapsed: last quarter {lastQuarter:0.0} per interval against a median of {median:0}.");
    }

    /// <summary>
    /// One second of the same server and well-behaved clients, stopped, before anything is counted: what a process loads once
    /// (assemblies it maps, the runtime's signal pipe, its socket engine thread) is then in the "before" numbers.
    /// </summary>
    private void WarmUp()
    {
        int port = (int)Ps.Run(SoakServer, ThrottleLimit, ServerTimeout).Ok().Single!;
        RunClients(port, 1, 1, 4, 0, _ => { });
        Ps.Run("Stop-SocketServer $srv -Timeout 30; $srv = $null").Ok();
    }

    /// <summary>Runs soak_clients.py against the port, calls <paramref name="tick"/> with each interval's counts, returns the final ones.</summary>
    private static ClientCounts RunClients(int port, int seconds, int interval, int workers, int faultWorkers, Action<ClientCounts> tick)
    {
        using var clients = PythonPeer.Start("soak_clients.py", $"{port}", $"{seconds}", $"{interval}", $"{workers}", $"{faultWorkers}", $"{ServerTimeout}");
        while (true)
        {
            // A tick comes every interval; DONE once the last sessions end (a stall lasts the server's timeout).
            string line = clients.ReadLine(TimeSpan.FromSeconds(interval + 180));
            var counts = ClientCounts.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            if (line.StartsWith("DONE ", StringComparison.Ordinal))
            {
                Assert.Equal(0, clients.WaitForExit(TimeSpan.FromSeconds(30)));
                return counts;
            }
            tick(counts);
        }
    }

    private static double Median(System.Collections.Generic.IReadOnlyList<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;
    }

    private static bool IsNotAssembly(string descriptor) => !descriptor.EndsWith(".dll", StringComparison.Ordinal);

    /// <summary>The server's running handlers (the session is idle while the clients run: its variables can be read).</summary>
    private int ActiveHandlers() => Convert.ToInt32(PSObject.AsPSObject(Ps.Get("srv")!).Properties["Active"].Value, CultureInfo.InvariantCulture);
}
