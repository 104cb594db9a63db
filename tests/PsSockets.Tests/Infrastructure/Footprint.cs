using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// What the test process holds: open file descriptors (/proc/self/fd), threads (/proc/self/status) and
/// managed memory after full collections. Taken before and after thousands of cycles, a leak of one
/// descriptor, thread or socket object per cycle shows as thousands. The runtime keeps each assembly it
/// loads open for the life of the process (the first assertion loads xunit.assert.dll): those are not counted.
/// Threads are counted apart from the thread pool's workers, whose number is the runtime's choice (it adds
/// workers while work items block, and retires idle ones after 20 s): those have a bound of their own.
/// </summary>
public readonly record struct Footprint(int Descriptors, int Threads, int PoolWorkers, long ManagedBytes)
{
    /// <summary>How many more thread pool workers than before are still no leak: a work item blocked per cycle would be thousands.</summary>
    public const int PoolWorkerSlack = 16;

    private const string PoolWorkerName = ".NET TP Worker";

    /// <summary>What each open descriptor is (socket:[inode], pipe:[inode], a path), to name what a leak left open.</summary>
    private Dictionary<string, string> Targets { get; init; } = [];

    /// <summary>The threads' names (/proc/self/task/*/comm, 15 characters at most), to name what a leak left running.</summary>
    private string[] ThreadNames { get; init; } = [];

    /// <summary>
    /// Counts descriptors first, before any collection: a socket that was never closed but is no longer
    /// reachable would otherwise be closed by its finalizer and hide the leak.
    /// </summary>
    public static Footprint Measure()
    {
        var targets = DescriptorTargets();
        var threads = ThreadNamesNow();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int workers = threads.Count(name => name == PoolWorkerName);
        return new Footprint(targets.Count, threads.Length - workers, workers, GC.GetTotalMemory(forceFullCollection: true)) { Targets = targets, ThreadNames = threads };
    }

    /// <summary>Fails unless this footprint is within the tolerances of <paramref name="before"/> (it may be smaller).</summary>
    public void AssertWithin(Footprint before, int descriptors, int threads, long managedBytes)
    {
        var opened = Targets.Where(t => !before.Targets.TryGetValue(t.Key, out var was) || was != t.Value).Select(t => $"{t.Key} -> {t.Value}");
        Assert.True(Descriptors <= before.Descriptors + descriptors, $"Descriptors grew: {before} -> {this}; opened since: {string.Join(", ", opened)}");
        Assert.True(Threads <= before.Threads + threads && PoolWorkers <= before.PoolWorkers + PoolWorkerSlack,
            $"Threads grew: {before} -> {this}; before [{string.Join(", ", before.ThreadNames.Order())}], after [{string.Join(", ", ThreadNames.Order())}]");
        Assert.True(ManagedBytes <= before.ManagedBytes + managedBytes, $"Managed memory grew: {before} -> {this}");
    }

    public override string ToString() => $"{Descriptors} fds, {Threads} threads + {PoolWorkers} pool workers, {ManagedBytes / 1024.0:0} KiB managed";

    private static Dictionary<string, string> DescriptorTargets()
    {
        var targets = new Dictionary<string, string>();
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                string target = new FileInfo(fd).LinkTarget ?? "?";
                if (!target.EndsWith(".dll", StringComparison.Ordinal))
                {
                    targets[Path.GetFileName(fd)] = target;
                }
            }
            catch (IOException)
            {
                // Closed between the listing and the look (the listing's own descriptor is one).
            }
        }
        return targets;
    }

    private static string[] ThreadNamesNow() =>
        Directory.GetDirectories("/proc/self/task").Select(task =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (IOException)
            {
                return null; // ended between the listing and the look
            }
        }).OfType<string>().ToArray();
}
