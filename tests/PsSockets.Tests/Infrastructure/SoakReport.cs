using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace PsSockets.Tests.Infrastructure;

/// <summary>What peers/soak_clients.py counted so far (its "TICK {json}" and "DONE {json}" lines).</summary>
public sealed record ClientCounts(double Elapsed, IReadOnlyDictionary<string, long> Sessions, long Bytes, long Errors, long Surprises,
    IReadOnlyList<string> Messages, long? Seed)
{
    public static readonly string[] WellBehavedKinds = ["echo", "hash", "upload", "stream", "download"];

    /// <summary>Misbehaving sessions that must still be answered right: their bytes arrive one every 10 ms.</summary>
    public static readonly string[] SlowKinds = ["drip-line", "drip-prefix"];

    /// <summary>Misbehaving sessions the server must drop: a reset, a stall past the server's timeout, a truncated message.</summary>
    public static readonly string[] FaultKinds = ["reset", "stall", "truncate"];

    public static ClientCounts Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new ClientCounts(
            root.GetProperty("elapsed").GetDouble(),
            root.GetProperty("sessions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()),
            root.GetProperty("bytes").GetInt64(),
            root.GetProperty("errors").GetInt64(),
            root.GetProperty("surprises").GetInt64(),
            [.. root.GetProperty("messages").EnumerateArray().Select(m => m.GetString() ?? "")],
            root.TryGetProperty("seed", out var seed) ? seed.GetInt64() : null);
    }

    public long Of(IEnumerable<string> kinds) => kinds.Sum(k => Sessions[k]);
}

/// <summary>The test process's (the server's) open descriptors, threads and managed heap.</summary>
public sealed record ProcessSample(int Descriptors, int Threads, long ManagedBytes)
{
    /// <summary>Counts now; the managed heap is measured after a full collection, so that it is what is alive, not what awaits collection.</summary>
    public static ProcessSample Now()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new(Directory.GetFiles("/proc/self/fd").Length, ThreadCount(), GC.GetTotalMemory(forceFullCollection: false));
    }

    public static int ThreadCount() => Directory.GetDirectories("/proc/self/task").Length;

    /// <summary>What each open descriptor is ("socket", "pipe", "anon_inode:[eventpoll]", a file's path), to name what leaked.</summary>
    public static string[] DescriptorKinds() =>
        [.. Directory.GetFiles("/proc/self/fd").Select(fd => Kind(new FileInfo(fd).LinkTarget ?? "(closed)"))];

    /// <summary>The name of each thread (what the runtime set, cut to 15 bytes by Linux), to name what was left running.</summary>
    public static string[] ThreadNames() =>
        [.. Directory.GetDirectories("/proc/self/task").Select(task => ReadOrGone(Path.Combine(task, "comm")))];

    /// <summary>What <paramref name="after"/> holds beyond <paramref name="before"/>, as "name x count".</summary>
    public static string Beyond(string[] before, string[] after)
    {
        var extra = after.ToList();
        foreach (var item in before)
        {
            extra.Remove(item);
        }
        return string.Join(", ", extra.GroupBy(x => x).Select(g => $"{g.Key} x{g.Count()}"));
    }

    private static string Kind(string target) =>
        target.StartsWith("socket:", StringComparison.Ordinal) ? "socket" : target.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe" : target;

    private static string ReadOrGone(string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\n');
        }
        catch (IOException)
        {
            return "(ended)";
        }
    }

    public string ManagedMiB => (ManagedBytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>
/// The soak's report: one markdown table row per interval (completed sessions by kind, throughput, errors,
/// the server's descriptors, threads and managed memory), then a summary. Each line goes to the test output
/// and is appended to out/soak/soak-&lt;timestamp&gt;-&lt;seconds&gt;s.md as it comes, so a long soak can be
/// followed with tail -f and a crashed one still leaves its numbers.
/// </summary>
public sealed class SoakReport
{
    private static readonly string[] IntervalKinds = [.. ClientCounts.WellBehavedKinds, "drip", .. ClientCounts.FaultKinds];
    private readonly Action<string> _log;
    private readonly List<long> _wellBehavedPerInterval = [];
    private ClientCounts? _last;

    public SoakReport(int seconds, Action<string> log)
    {
        _log = log;
        string folder = Path.Combine(ModuleLayout.RepoRoot, "out", "soak");
        Directory.CreateDirectory(folder);
        FilePath = Path.Combine(folder, $"soak-{DateTime.Now:yyyyMMdd-HHmmss}-{seconds}s.md");
    }

    public string FilePath { get; }

    /// <summary>Well-behaved sessions completed in each interval, in order.</summary>
    public IReadOnlyList<long> WellBehavedPerInterval => _wellBehavedPerInterval;

    public ProcessSample Peak { get; private set; } = new(0, 0, 0);

    public void Line(string text)
    {
        _log(text);
        File.AppendAllText(FilePath, text + "\n");
    }

    public void Header()
    {
        Line("| t (s) | " + string.Join(" | ", IntervalKinds) + " | done/s | MB/s | errors | surprises | active | fds | threads | managed MiB |");
        Line("|" + string.Concat(Enumerable.Repeat("---:|", IntervalKinds.Length + 9)));
    }

    /// <summary>One interval's row, from the clients' cumulative counts and the server process now.</summary>
    public void Interval(ClientCounts counts, ProcessSample process, int serverActive)
    {
        var previous = _last ?? new ClientCounts(0, counts.Sessions.ToDictionary(p => p.Key, _ => 0L), 0, 0, 0, [], null);
        double seconds = counts.Elapsed - previous.Elapsed;
        long Delta(string kind) => kind == "drip"
            ? counts.Of(ClientCounts.SlowKinds) - previous.Of(ClientCounts.SlowKinds)
            : counts.Sessions[kind] - previous.Sessions[kind];
        long wellBehaved = counts.Of(ClientCounts.WellBehavedKinds) - previous.Of(ClientCounts.WellBehavedKinds);
        _wellBehavedPerInterval.Add(wellBehaved);
        Peak = new(Math.Max(Peak.Descriptors, process.Descriptors), Math.Max(Peak.Threads, process.Threads), Math.Max(Peak.ManagedBytes, process.ManagedBytes));
        _last = counts;
        Line(string.Create(CultureInfo.InvariantCulture,
            $"| {counts.Elapsed:0.0} | {string.Join(" | ", IntervalKinds.Select(Delta))} | {wellBehaved / seconds:0.0} | {(counts.Bytes - previous.Bytes) / seconds / 1e6:0.00} | {counts.Errors} | {counts.Surprises} | {serverActive} | {process.Descriptors} | {process.Threads} | {process.ManagedMiB} |"));
    }
}
