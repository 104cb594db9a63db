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
/// </summary>
public readonly record struct Footprint(int Descriptors, int Threads, long ManagedBytes)
{
    /// <summary>What each open descriptor is (socket:[inode], pipe:[inode], a path), to name what a leak left open.</summary>
    private Dictionary<string, string> Targets { get; init; } = [];

    /// <summary>
    /// Counts descriptors first, before any collection: a socket that was never closed but is no longer
    /// reachable would otherwise be closed by its finalizer and hide the leak.
    /// </summary>
    public static Footprint Measure()
    {
        var targets = DescriptorTargets();
        int threads = CountThreads();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new Footprint(targets.Count, threads, GC.GetTotalMemory(forceFullCollection: true)) { Targets = targets };
    }

    /// <summary>Fails unless this footprint is within the tolerances of <paramref name="before"/> (it may be smaller).</summary>
    public void AssertWithin(Footprint before, int descriptors, int threads, long managedBytes)
    {
        var opened = Targets.Where(t => !before.Targets.TryGetValue(t.Key, out var was) || was != t.Value).Select(t => $"{t.Key} -> {t.Value}");
        Assert.True(Descriptors <= before.Descriptors + descriptors, $"Descriptors grew: {before} -> {this}; opened since: {string.Join(", ", opened)}");
        Assert.True(Threads <= before.Threads + threads, $"Threads grew: {before} -> {this}");
        Assert.True(ManagedBytes <= before.ManagedBytes + managedBytes, $"Managed memory grew: {before} -> {this}");
    }

    public override string ToString() => $"{Descriptors} fds, {Threads} threads, {ManagedBytes / 1024.0:0} KiB managed";

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

    private static int CountThreads()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal));
        return int.Parse(line["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
