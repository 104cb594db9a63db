using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PsSockets.Bench;

internal static class Program
{
    private const string Usage = """
        PsSockets benchmark: the cmdlets against raw .NET sockets and python3, side by side.

          dotnet run -c Release --project bench/PsSockets.Bench [-- options]

          --quick            small sizes, 3 rounds, no profile section: under a minute
          --only LIST        comma-separated scenarios: bulk,chart,pingpong,connections,select,lines,memory,import,checks,profile
          --out DIR          where benchmarks.md and benchmarks.svg go (default: docs/ of the repository)
          --no-write         print the table only
          --module PATH      the module folder to import (default: out/PsSockets of the repository)
        """;

    private static readonly string[] AllScenarios = ["bulk", "chart", "pingpong", "connections", "select", "lines", "memory", "import", "checks", "tls", "profile"];

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--child")
        {
            return ChildModes.Run(args[1..]);
        }
        bool quick = false, write = true;
        string? outDir = null, module = null;
        HashSet<string>? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--no-write":
                    write = false;
                    break;
                case "--out":
                    outDir = args[++i];
                    break;
                case "--module":
                    module = args[++i];
                    break;
                case "--only":
                    only = new HashSet<string>(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    var unknown = only.Except(AllScenarios).ToList();
                    if (unknown.Count > 0)
                    {
                        Console.Error.WriteLine("Unknown scenario(s): " + string.Join(", ", unknown) + "\n\n" + Usage);
                        return 2;
                    }
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown option {args[i]}\n\n{Usage}");
                    return 2;
            }
        }

        string root = FindRepoRoot();
        module ??= Path.Combine(root, "out", "PsSockets");
        outDir ??= Path.Combine(root, "docs");
        if (!File.Exists(Path.Combine(module, "PsSockets.psd1")))
        {
            Console.Error.WriteLine($"No module at {module}: build first (dotnet build, or run this project, which builds it).");
            return 2;
        }
        var sizes = quick ? Sizes.QuickSizes : Sizes.FullSizes;
        // The profile breakdown is diagnostics: part of a full run, in quick mode only when asked for.
        only ??= new HashSet<string>(quick ? AllScenarios.Where(s => s != "profile") : AllScenarios);

        // The whole run has a time limit too: past it, every child is killed and the harness exits.
        var limit = quick ? TimeSpan.FromMinutes(5) : TimeSpan.FromMinutes(40);
        using var runLimit = new System.Threading.Timer(_ =>
        {
            Console.Error.WriteLine($"The benchmark ran past {limit.TotalMinutes} minutes: stopping.");
            Children.KillAll();
            Environment.Exit(3);
        }, null, limit, System.Threading.Timeout.InfiniteTimeSpan);

        string scratch = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        scratch = Path.Combine(scratch, $"pssockets-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(scratch);
        var total = Stopwatch.StartNew();
        try
        {
            void Log(string line) => Console.WriteLine($"[{total.Elapsed.TotalSeconds,6:0.0}s] {line}");
            Log($"PsSockets benchmark, {(quick ? "quick" : "full")} mode; module {module}");
            using var ps = new PsEngine(module);
            using var py = PythonPeer.TryStart(limit, out string? pyWhy);
            string? pyMissing = py is null ? $"python3 not available ({pyWhy})" : null;
            if (pyMissing is not null)
            {
                Log(pyMissing);
            }
            foreach (var tool in new[] { "socat", "ncat" })
            {
                if (!OnPath(tool))
                {
                    Log($"{tool} not installed: skipped");
                }
            }
            var machine = DescribeMachine(root, quick, py?.Version);
            Log($"{machine.Cpu}, {machine.Cores} cores, {machine.Os}, {machine.Dotnet}, module {machine.Module}");

            var bench = new Bench(sizes, ps, py, pyMissing, module, scratch, Log);
            var profile = new Profile(ps, sizes, Log);
            var steps = new (string Name, Action Run)[]
            {
                ("bulk", bench.Bulk),
                ("chart", bench.ChartSeries),
                ("pingpong", bench.PingPong),
                ("connections", bench.Connections),
                ("select", bench.Select),
                ("lines", bench.Lines),
                ("memory", bench.Memory),
                ("import", bench.Import),
                ("checks", bench.Checks),
                ("tls", bench.Tls),
                ("profile", profile.Run),
            };
            bench.WarmUpEngine();
            foreach (var (name, run) in steps.Where(s => only.Contains(s.Name)))
            {
                run();
            }
            Log("done");

            Console.WriteLine();
            Console.WriteLine(Report.ConsoleTable(bench.Rows));
            if (profile.Steps.Count > 0)
            {
                Console.WriteLine(profile.ConsoleTable());
            }
            if (write)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllText(Path.Combine(outDir, "benchmarks.md"), Report.Markdown(bench.Rows, machine, bench.Chart, "benchmarks.svg", sizes.Rounds, bench.WarmUpNote)
                    + (profile.Steps.Count > 0 ? Environment.NewLine + profile.Markdown() : ""));
                if (bench.Chart.Count > 0)
                {
                    File.WriteAllText(Path.Combine(outDir, "benchmarks.svg"), Report.Svg(bench.Chart, machine));
                }
                Console.WriteLine($"Wrote {Path.Combine(outDir, "benchmarks.md")}" + (bench.Chart.Count > 0 ? " and benchmarks.svg" : ""));
            }
            Console.WriteLine($"Total {total.Elapsed.TotalSeconds:0.0} s.");
            return 0;
        }
        finally
        {
            Children.KillAll();
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
                // left behind in /dev/shm or the temp folder; harmless
            }
        }
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PsSockets.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("PsSockets.sln not found above the harness or the current directory.");
    }

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, tool)));

    private static Machine DescribeMachine(string root, bool quick, string? python)
    {
        string cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        string os = (ReadFirst("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription)
            + (File.Exists("/proc/sys/kernel/osrelease") ? ", Linux " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "");
        var engine = typeof(System.Management.Automation.PSObject).Assembly;
        string psVersion = engine.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split(' ', '+')[0]
            ?? engine.GetName().Version?.ToString() ?? "?";
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "PsSockets");
        string module = loaded is null ? "?"
            : $"PsSockets {loaded.GetName().Version}, {(loaded.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true ? "Debug" : "Release")} build";
        return new Machine(cpu, Environment.ProcessorCount, os, RuntimeInformation.FrameworkDescription, psVersion,
            python is null ? "not available" : "Python " + python, module, Git(root), DateTime.UtcNow, quick ? "quick" : "full");
    }

    private static string? ReadFirst(string file, string key, char separator = ':')
    {
        if (!File.Exists(file))
        {
            return null;
        }
        foreach (var line in File.ReadLines(file))
        {
            int at = line.IndexOf(separator, StringComparison.Ordinal);
            if (at > 0 && line[..at].Trim() == key)
            {
                return line[(at + 1)..].Trim();
            }
        }
        return null;
    }

    private static string Git(string root)
    {
        try
        {
            var info = new ProcessStartInfo("git") { WorkingDirectory = root };
            info.ArgumentList.Add("describe");
            info.ArgumentList.Add("--always");
            info.ArgumentList.Add("--dirty");
            return Children.RunToEnd(info, TimeSpan.FromSeconds(10)).Trim();
        }
        catch (Exception)
        {
            return "?";
        }
    }
}
