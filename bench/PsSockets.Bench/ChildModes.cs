using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Sockets;
using System.Text.Json;

namespace PsSockets.Bench;

/// <summary>
/// The harness run as a child process (`--child MODE ...`), for what must be measured in a process
/// of its own: the receiver's peak working set, and Import-Module in a process that never loaded it.
/// Each mode prints one JSON line and exits; the parent kills it if it takes too long.
/// </summary>
internal static class ChildModes
{
    public static int Run(string[] args)
    {
        // A child outlives nothing: if the parent vanished without killing it, it ends itself.
        using var selfDestruct = new System.Threading.Timer(_ => Environment.Exit(3), null, TimeSpan.FromMinutes(10), System.Threading.Timeout.InfiniteTimeSpan);
        try
        {
            object result = args[0] switch
            {
                "mem-ps" => MemPs(int.Parse(args[1], CultureInfo.InvariantCulture), args[2]),
                "mem-raw" => MemRaw(int.Parse(args[1], CultureInfo.InvariantCulture)),
                "import" => Import(args[1]),
                _ => throw new ArgumentException("unknown child mode " + args[0]),
            };
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { error = e.GetType().Name + ": " + e.Message }));
            return 0;
        }
    }

    public static long StatusKb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }
        return -1;
    }

    /// <summary>Resets VmHWM to the current RSS (Linux 4.0+), so the peak measured is the stream's own.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static object MemPs(int port, string modulePath)
    {
        using var rs = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        rs.Open();
        Invoke(rs, "Import-Module $args[0] -ErrorAction Stop", modulePath);
        Invoke(rs, Scripts.MemoryConnect, port);
        Settle();
        long before = StatusKb("VmRSS");
        bool reset = ResetPeak();
        var output = Invoke(rs, Scripts.MemoryStream);
        long peak = StatusKb("VmHWM");
        return new
        {
            bytes = Convert.ToInt64(output[^2].BaseObject, CultureInfo.InvariantCulture),
            elapsed = Convert.ToDouble(output[^1].BaseObject, CultureInfo.InvariantCulture),
            rss_before_kb = before,
            peak_kb = peak,
            peak_reset = reset,
        };
    }

    private static object MemRaw(int port)
    {
        using var guard = new Watchdog(TimeSpan.FromMinutes(5));
        using var s = Net.Connect(port, guard);
        var buffer = new byte[64 * 1024];
        Settle();
        long before = StatusKb("VmRSS");
        bool reset = ResetPeak();
        long total = 0;
        var sw = Stopwatch.StartNew();
        int n;
        while ((n = s.Receive(buffer)) > 0)
        {
            total += n;
        }
        double elapsed = sw.Elapsed.TotalSeconds;
        return new { bytes = total, elapsed, rss_before_kb = before, peak_kb = StatusKb("VmHWM"), peak_reset = reset };
    }

    private const string TimedImport = """
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        Import-Module $args[0] -ErrorAction Stop
        $sw.Elapsed.TotalMilliseconds
        """;

    private static object Import(string modulePath)
    {
        var sw = Stopwatch.StartNew();
        using var first = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        first.Open();
        double openMs = sw.Elapsed.TotalMilliseconds;
        // The engine's own first-script costs (parser, compiler) are paid before the clock starts.
        Invoke(first, "$null = 1");
        double importMs = Convert.ToDouble(Invoke(first, TimedImport, modulePath)[^1].BaseObject, CultureInfo.InvariantCulture);
        using var second = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        second.Open();
        Invoke(second, "$null = 1");
        double warmMs = Convert.ToDouble(Invoke(second, TimedImport, modulePath)[^1].BaseObject, CultureInfo.InvariantCulture);
        return new { open_ms = openMs, import_ms = importMs, warm_import_ms = warmMs };
    }

    private static System.Collections.ObjectModel.Collection<PSObject> Invoke(Runspace rs, string script, params object[] args)
    {
        using var ps = PowerShell.Create(rs);
        ps.AddScript(script);
        foreach (var a in args)
        {
            ps.AddArgument(a);
        }
        var output = ps.Invoke();
        if (ps.Streams.Error.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" | ", ps.Streams.Error));
        }
        return output;
    }
}
