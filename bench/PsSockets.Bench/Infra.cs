using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets.Bench;

/// <summary>Loopback sockets for the raw .NET side: 127.0.0.1 only, ephemeral ports, blocking calls with OS timeouts.</summary>
internal static class Net
{
    /// <summary>The time limit of every blocking socket call in the harness (SO_SNDTIMEO/SO_RCVTIMEO and the watchdogs).</summary>
    public static readonly TimeSpan OpTimeout = TimeSpan.FromSeconds(30);

    public static Socket Listen(int backlog = 512)
    {
        var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        l.Listen(backlog);
        return l;
    }

    public static int PortOf(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

    public static Socket Prepare(Socket s)
    {
        s.SendTimeout = (int)OpTimeout.TotalMilliseconds;
        s.ReceiveTimeout = (int)OpTimeout.TotalMilliseconds;
        return s;
    }

    /// <summary>A blocking connect; a hang is cut by the caller's <see cref="Watchdog"/>, which closes the socket.</summary>
    public static Socket Connect(int port, Watchdog? guard = null)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        guard?.Add(s);
        Prepare(s);
        s.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return s;
    }

    /// <summary>A blocking accept; a hang is cut by the caller's watchdog, which closes the listener.</summary>
    public static Socket Accept(Socket listener) => Prepare(listener.Accept());

    public static void ReceiveExactly(Socket s, byte[] buffer, int count)
    {
        int got = 0;
        while (got < count)
        {
            int n = s.Receive(buffer, got, count - got, SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("The peer closed the connection early.");
            }
            got += n;
        }
    }
}

/// <summary>
/// A time limit for code that makes blocking calls without a per-call timeout (so the measured path
/// stays the plain syscall): when it expires, every registered socket or process is closed/killed,
/// which ends the blocked call with an exception.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    private readonly List<IDisposable> _victims = new();
    private readonly Timer _timer;
    private int _fired;

    public Watchdog(TimeSpan limit, params IDisposable[] victims)
    {
        _victims.AddRange(victims);
        _timer = new Timer(_ => Fire(), null, limit, Timeout.InfiniteTimeSpan);
    }

    public bool Fired => Volatile.Read(ref _fired) != 0;

    public void Add(IDisposable victim)
    {
        lock (_victims)
        {
            _victims.Add(victim);
        }
    }

    private void Fire()
    {
        Interlocked.Exchange(ref _fired, 1);
        lock (_victims)
        {
            foreach (var v in _victims)
            {
                try
                {
                    v.Dispose();
                }
                catch (Exception)
                {
                    // best effort: it is being torn down because it hung
                }
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}

/// <summary>
/// A raw .NET peer on its own background thread: a listener on 127.0.0.1:0 and a body that serves
/// the connection(s). Disposing closes the listener; the body's sockets have OS timeouts, and a
/// watchdog closes the listener if nobody connects.
/// </summary>
internal sealed class Peer<T> : IDisposable
{
    private readonly Socket _listener;
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Watchdog _guard;

    public Peer(Func<Socket, T> body, int backlog = 512)
    {
        _listener = Net.Listen(backlog);
        Port = Net.PortOf(_listener);
        _guard = new Watchdog(TimeSpan.FromMinutes(5), _listener);
        var thread = new Thread(() =>
        {
            try
            {
                _done.SetResult(body(_listener));
            }
            catch (Exception e)
            {
                _done.SetException(e);
            }
        })
        { IsBackground = true, Name = "peer" };
        thread.Start();
    }

    public int Port { get; }

    public T Wait(TimeSpan? limit = null)
    {
        if (!_done.Task.Wait(limit ?? Net.OpTimeout))
        {
            Dispose();
            throw new TimeoutException("The raw .NET peer did not finish in time.");
        }
        return _done.Task.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _guard.Dispose();
        _listener.Dispose();
    }
}

/// <summary>The raw .NET peers every implementation is measured against, identical for all three.</summary>
internal static class Peers
{
    public sealed record SinkResult(long Bytes, double Seconds);

    /// <summary>
    /// Accepts one connection and reads to the end into a 256 KiB buffer. Times from the first byte
    /// to end of stream, so every sender is timed the same way, by the same code.
    /// </summary>
    public static Peer<SinkResult> Sink() => new(listener =>
    {
        using var s = Net.Accept(listener);
        var buffer = new byte[256 * 1024];
        long total = 0;
        long first = 0;
        while (true)
        {
            int n = s.Receive(buffer);
            if (n == 0)
            {
                break;
            }
            if (total == 0)
            {
                first = Stopwatch.GetTimestamp();
            }
            total += n;
        }
        return new SinkResult(total, Stopwatch.GetElapsedTime(first).TotalSeconds);
    });

    /// <summary>Accepts one connection and sends every byte read straight back, until end of stream.</summary>
    public static Peer<long> Echo() => new(listener =>
    {
        using var s = Net.Accept(listener);
        s.NoDelay = true;
        var buffer = new byte[64 * 1024];
        long rounds = 0;
        while (true)
        {
            int n = s.Receive(buffer);
            if (n == 0)
            {
                return rounds;
            }
            s.Send(buffer, 0, n, SocketFlags.None);
            rounds++;
        }
    });

    /// <summary>Accepts one connection, sends <paramref name="payload"/> repeatedly until <paramref name="total"/> bytes went out, closes.</summary>
    public static Peer<long> Sender(byte[] payload, long total) => new(listener =>
    {
        using var s = Net.Accept(listener);
        long sent = 0;
        while (sent < total)
        {
            int n = (int)Math.Min(payload.Length, total - sent);
            s.Send(payload, 0, n, SocketFlags.None);
            sent += n;
        }
        s.Shutdown(SocketShutdown.Send);
        return sent;
    });

    /// <summary>Accepts <paramref name="count"/> connections and writes one byte to the last one; holds them until disposed.</summary>
    public static Peer<List<Socket>> ReadyAcceptor(int count) => new(listener =>
    {
        var accepted = new List<Socket>(count);
        for (int i = 0; i < count; i++)
        {
            accepted.Add(Net.Accept(listener));
        }
        accepted[^1].Send(new byte[] { 42 });
        return accepted;
    }, backlog: 4096);
}

/// <summary>Medians and spreads of the rounds of one measurement.</summary>
internal sealed class Samples
{
    private readonly List<double> _values = new();

    public string? Error { get; private set; }

    public int Count => _values.Count;

    public void Add(double v) => _values.Add(v);

    public void Fail(string why) => Error ??= why;

    public double? Median
    {
        get
        {
            if (_values.Count == 0)
            {
                return null;
            }
            var sorted = _values.OrderBy(v => v).ToArray();
            int mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public double? Min => _values.Count == 0 ? null : _values.Min();

    public double? Max => _values.Count == 0 ? null : _values.Max();
}

/// <summary>
/// One hosted PowerShell 7.6 runspace with out/PsSockets imported, as the tests host it. Scripts are
/// real script text; each runs under a time limit after which it is stopped as Ctrl+C would stop it.
/// </summary>
internal sealed class PsEngine : IDisposable
{
    private readonly Runspace _runspace;

    public PsEngine(string modulePath)
    {
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        _runspace.Open();
        Run("Import-Module $args[0] -ErrorAction Stop", TimeSpan.FromSeconds(60), modulePath);
    }

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/> as $args; throws on any error record.</summary>
    public Collection<PSObject> Run(string script, TimeSpan limit, params object?[] args)
    {
        using var ps = PowerShell.Create(_runspace);
        ps.AddScript(script);
        foreach (var a in args)
        {
            ps.AddArgument(a);
        }
        var input = new PSDataCollection<PSObject>();
        input.Complete();
        var output = new PSDataCollection<PSObject>();
        var pending = ps.BeginInvoke(input, output);
        if (!pending.AsyncWaitHandle.WaitOne(limit))
        {
            ps.Stop();
            CloseAll();
            throw new TimeoutException($"The PowerShell script did not finish within {limit.TotalSeconds} s and was stopped.");
        }
        try
        {
            ps.EndInvoke(pending);
        }
        catch (RuntimeException e)
        {
            CloseAll();
            throw new InvalidOperationException("Script failed: " + e.Message, e);
        }
        if (ps.Streams.Error.Count > 0)
        {
            CloseAll();
            throw new InvalidOperationException("Script failed: " + string.Join(" | ", ps.Streams.Error.Select(e => e.ToString())));
        }
        return new Collection<PSObject>(output.ToList());
    }

    /// <summary>The last output object of the script as a number (the scripts end by writing what they timed).</summary>
    public double RunNumber(string script, TimeSpan limit, params object?[] args)
    {
        var output = Run(script, limit, args);
        return output.Count == 0
            ? throw new InvalidOperationException("The script wrote no result.")
            : Convert.ToDouble(output[^1].BaseObject, System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool HasCommand(string name, string? parameter = null)
    {
        var script = parameter is null
            ? "[bool](Get-Command $args[0] -ErrorAction SilentlyContinue)"
            : "$c = Get-Command $args[0] -ErrorAction SilentlyContinue; [bool]($c -and $c.Parameters.ContainsKey($args[1]))";
        var output = Run(script, TimeSpan.FromSeconds(30), name, parameter);
        return output.Count > 0 && output[0].BaseObject is true;
    }

    private void CloseAll()
    {
        try
        {
            using var ps = PowerShell.Create(_runspace);
            ps.AddScript("Get-Socket | Close-Socket -Abort");
            ps.Invoke();
        }
        catch (Exception)
        {
            // best effort after a failure
        }
    }

    public void Dispose()
    {
        CloseAll();
        _runspace.Dispose();
    }
}

/// <summary>
/// Processes the harness started (python peers, child harnesses): all killed when the harness ends,
/// however it ends (normal exit, exception, Ctrl+C).
/// </summary>
internal static class Children
{
    private static readonly List<Process> s_started = new();

    static Children()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    public static Process Start(ProcessStartInfo info)
    {
        var p = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        lock (s_started)
        {
            s_started.Add(p);
        }
        return p;
    }

    public static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (Exception)
        {
            // already gone
        }
    }

    public static void KillAll()
    {
        lock (s_started)
        {
            foreach (var p in s_started)
            {
                Kill(p);
            }
        }
    }

    /// <summary>Runs a process to its end (killed after <paramref name="limit"/>) and returns its last stdout line.</summary>
    public static string RunToEnd(ProcessStartInfo info, TimeSpan limit)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        var p = Start(info);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Close();
        if (!p.WaitForExit(limit))
        {
            Kill(p);
            throw new TimeoutException($"{info.FileName} did not finish within {limit.TotalSeconds} s and was killed.");
        }
        p.WaitForExit();
        var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (p.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException($"{info.FileName} exited {p.ExitCode}: {stderr.Result.Trim()}");
        }
        return lines[^1];
    }
}

/// <summary>The long-lived python3 peer (bench/peers/pybench.py serve): one JSON command, one JSON answer.</summary>
internal sealed class PythonPeer : IDisposable
{
    private readonly Process _process;

    private PythonPeer(Process process, string version)
    {
        _process = process;
        Version = version;
    }

    public string Version { get; }

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "peers", "pybench.py");

    public static ProcessStartInfo Info(params string[] args)
    {
        var info = new ProcessStartInfo("python3") { UseShellExecute = false };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(ScriptPath);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        return info;
    }

    /// <summary>Starts the peer, or returns null (python3 columns show n/a) when python3 is missing.</summary>
    public static PythonPeer? TryStart(TimeSpan lifetime, out string? why)
    {
        try
        {
            var info = Info("serve", "--limit", ((int)lifetime.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = false;
            var p = Children.Start(info);
            var peer = new PythonPeer(p, "?");
            var hello = peer.Call(new { op = "ping" }, TimeSpan.FromSeconds(20));
            why = null;
            return new PythonPeer(p, hello.GetProperty("version").GetString() ?? "?");
        }
        catch (Exception e)
        {
            why = e.Message;
            return null;
        }
    }

    /// <summary>Sends one command and waits for its answer; kills the peer when the answer is late.</summary>
    public JsonElement Call(object command, TimeSpan limit)
    {
        _process.StandardInput.WriteLine(JsonSerializer.Serialize(command));
        _process.StandardInput.Flush();
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(limit))
        {
            Children.Kill(_process);
            throw new TimeoutException($"python3 did not answer {JsonSerializer.Serialize(command)} within {limit.TotalSeconds} s and was killed.");
        }
        var text = line.Result ?? throw new InvalidOperationException("python3 exited.");
        var answer = JsonDocument.Parse(text).RootElement.Clone();
        if (answer.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException("python3: " + error.GetString());
        }
        return answer;
    }

    public bool Alive => !_process.HasExited;

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(2000))
            {
                Children.Kill(_process);
            }
        }
        catch (Exception)
        {
            Children.Kill(_process);
        }
    }
}

/// <summary>
/// Pins the whole harness process (every thread, and so the threads they start) to one CPU, and
/// back. Used for the latency-bound scenarios: on this kind of VM an idle vCPU is woken only through
/// the hypervisor, which adds ~50 µs to every cross-core wake-up and makes a ping-pong measure the
/// scheduler's placement instead of the code (see the notes in the report).
/// </summary>
internal static class Affinity
{
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint cpusetsize, ulong[] mask);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int sched_getaffinity(int pid, nint cpusetsize, ulong[] mask);

    private static readonly ulong[] s_original = Original();

    private static ulong[] Original()
    {
        var mask = new ulong[16];
        try
        {
            if (OperatingSystem.IsLinux() && sched_getaffinity(0, mask.Length * 8, mask) == 0)
            {
                return mask;
            }
        }
        catch (Exception)
        {
            // not Linux: pinning is a no-op
        }
        return [];
    }

    /// <summary>The CPU the latency-bound scenarios share: the last one the process may use.</summary>
    public static int Cpu
    {
        get
        {
            for (int cpu = s_original.Length * 64 - 1; cpu >= 0; cpu--)
            {
                if ((s_original[cpu / 64] & (1UL << (cpu % 64))) != 0)
                {
                    return cpu;
                }
            }
            return -1;
        }
    }

    public static bool Supported => s_original.Length > 0 && Cpu >= 0;

    public static void Pin(int cpu)
    {
        var mask = new ulong[s_original.Length];
        mask[cpu / 64] = 1UL << (cpu % 64);
        SetAll(mask);
    }

    public static void Unpin() => SetAll(s_original);

    private static void SetAll(ulong[] mask)
    {
        if (!Supported)
        {
            return;
        }
        foreach (var dir in Directory.GetDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int tid))
            {
                sched_setaffinity(tid, mask.Length * 8, mask); // a thread that just ended fails: fine
            }
        }
    }
}
