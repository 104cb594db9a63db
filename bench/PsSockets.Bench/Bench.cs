using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets.Bench;

/// <summary>How big and how many: the quick mode (under a minute) and the full one (a few minutes).</summary>
internal sealed record Sizes(
    bool Quick,
    int Rounds,
    long BulkBytes,
    long ChartBytes,
    double PingSeconds,
    int ConnPs,
    int ConnRaw,
    int ConnPy,
    int SelectCalls,
    int Lines,
    long MemSmall,
    long MemBig,
    int MemRounds,
    int ImportRounds,
    TimeSpan WarmUp)
{
    private const long MiB = 1024 * 1024;

    public static Sizes QuickSizes { get; } = new(true, Rounds: 3, BulkBytes: 128 * MiB, ChartBytes: 32 * MiB,
        PingSeconds: 0.3, ConnPs: 200, ConnRaw: 1000, ConnPy: 500,
        SelectCalls: 40, Lines: 100_000, MemSmall: 64 * MiB, MemBig: 256 * MiB, MemRounds: 1, ImportRounds: 3, WarmUp: TimeSpan.FromMilliseconds(250));

    public static Sizes FullSizes { get; } = new(false, Rounds: 7, BulkBytes: 1024 * MiB, ChartBytes: 128 * MiB,
        PingSeconds: 1.0, ConnPs: 1000, ConnRaw: 5000, ConnPy: 3000,
        SelectCalls: 200, Lines: 500_000, MemSmall: 128 * MiB, MemBig: 1024 * MiB, MemRounds: 3, ImportRounds: 5, WarmUp: TimeSpan.FromSeconds(1));
}

/// <summary>The scenarios of issue 4, each measured for PsSockets, raw .NET and python3 in alternating rounds.</summary>
internal sealed partial class Bench
{
    private static readonly TimeSpan ScriptLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PyLimit = TimeSpan.FromMinutes(5);

    private readonly Sizes _z;
    private readonly PsEngine _ps;
    private readonly PythonPeer? _py;
    private readonly string? _pyMissing;
    private readonly string _modulePath;
    private readonly string _scratch;
    private readonly Action<string> _log;

    public Bench(Sizes sizes, PsEngine ps, PythonPeer? py, string? pyMissing, string modulePath, string scratch, Action<string> log)
    {
        _z = sizes;
        _ps = ps;
        _py = py;
        _pyMissing = pyMissing;
        _modulePath = modulePath;
        _scratch = scratch;
        _log = log;
    }

    public List<Row> Rows { get; } = new();

    public List<Series> Chart { get; } = new();

    public List<string> Skipped { get; } = new();

    // ---------------------------------------------------------------- the round runner

    /// <summary>
    /// One warm-up run of each implementation, then <paramref name="rounds"/> rounds in which the
    /// implementations take turns (the first of a round rotates), so drift hits all of them alike.
    /// </summary>
    private void Measure(Row row, Func<double>? ps, Func<double>? raw, Func<double>? py, int? rounds = null, bool warmUp = true,
        IReadOnlyList<(string Tool, Func<double> Run)>? tools = null) =>
        MeasureGroup([(row, ps)], raw, py, rounds, warmUp, tools);

    /// <summary>
    /// Several PsSockets rows against one baseline: the rows share the raw .NET and python3 samples,
    /// and every implementation of every row takes its turn in each round.
    /// </summary>
    private void MeasureGroup(IReadOnlyList<(Row Row, Func<double>? Ps)> rows, Func<double>? raw, Func<double>? py, int? rounds = null, bool warmUp = true,
        IReadOnlyList<(string Tool, Func<double> Run)>? tools = null)
    {
        var first = rows[0].Row;
        foreach (var (row, _) in rows)
        {
            row.Raw = first.Raw;
            row.Py = first.Py;
            if (py is null || _py is null)
            {
                row.PyMissing ??= _pyMissing ?? "not measured";
            }
            if (raw is null)
            {
                row.RawMissing ??= "not measured";
            }
        }
        var impls = new List<(string Name, Row Row, Samples S, Func<double> F)>();
        foreach (var (row, ps) in rows)
        {
            if (ps is not null)
            {
                impls.Add(("PsSockets", row, row.Ps, ps));
            }
        }
        if (raw is not null)
        {
            impls.Add(("raw .NET", first, first.Raw, raw));
        }
        if (py is not null && _py is not null)
        {
            impls.Add(("python3", first, first.Py, py));
        }
        foreach (var (tool, run) in tools ?? [])
        {
            if (Program.OnPath(tool))
            {
                first.Tools[tool] = new Samples();
                impls.Add((tool, first, first.Tools[tool], run));
            }
        }
        // Warm-up: each implementation runs until it has run for WarmUp (at least once), so the
        // engine's tiered JIT has reached steady state before anything is recorded.
        foreach (var (name, row, s, f) in warmUp ? impls : [])
        {
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < 20 && s.Error is null && (i == 0 || warm.Elapsed < _z.WarmUp); i++)
            {
                Once(row, name, s, f, record: false);
            }
        }
        int n = rounds ?? _z.Rounds;
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < impls.Count; i++)
            {
                var (name, row, s, f) = impls[(i + r) % impls.Count];
                if (s.Error is null)
                {
                    Once(row, name, s, f, record: true);
                }
            }
        }
        foreach (var (row, _) in rows)
        {
            string others = string.Concat(row.Tools.Select(t => $", {t.Key} {row.Cell(t.Value, null)}"));
            _log($"  {row.Name}: PsSockets {row.Cell(row.Ps, row.PsMissing)}, raw {row.Cell(row.Raw, row.RawMissing)}, python3 {row.Cell(row.Py, row.PyMissing)}{others} {row.Unit}");
        }
    }

    /// <summary>Runs <paramref name="f"/> with the whole harness pinned to <paramref name="cpu"/> (no pinning when null).</summary>
    private static Func<double> Pinned(int? cpu, Func<double> f) => cpu is not { } c ? f : () =>
    {
        Affinity.Pin(c);
        try
        {
            return f();
        }
        finally
        {
            Affinity.Unpin();
        }
    };

    private static int? PinCpu => Affinity.Supported ? Affinity.Cpu : null;

    private void Once(Row row, string name, Samples s, Func<double> f, bool record)
    {
        try
        {
            double v = f();
            if (record)
            {
                s.Add(v);
            }
        }
        catch (Exception e)
        {
            string why = (e is AggregateException { InnerException: { } inner } ? inner : e).Message;
            s.Fail(why);
            row.Notes.Add($"{name} failed: {why}");
            _log($"  ! {row.Name} / {name}: {why}");
        }
    }

    private static double GBps(long bytes, double seconds) => bytes / seconds / 1e9;

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs a command-line tool to its end and returns its wall-clock seconds; a non-zero exit throws.</summary>
    private static double Tool(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        var sw = Stopwatch.StartNew();
        var p = Children.Start(info);
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            Children.Kill(p);
            throw new TimeoutException($"{file} did not finish within 5 minutes and was killed.");
        }
        p.WaitForExit();
        double seconds = sw.Elapsed.TotalSeconds;
        return p.ExitCode == 0 ? seconds : throw new InvalidOperationException($"{file} exited {p.ExitCode}: {stderr.Result.Trim()}");
    }

    /// <summary>
    /// Runs the cmdlets before anything is measured, until their speed stops improving: the engine
    /// from NuGet is IL only, and with tiered compilation and dynamic PGO a hot path takes seconds
    /// to reach its final code (a cmdlet call goes from ~80 µs to ~12 µs). Without this the first
    /// scenarios would measure the JIT. Each row still gets its own warm-up runs.
    /// </summary>
    public void WarmUpEngine()
    {
        // Progress is read from cmdlet calls without I/O (a 0-byte Send-SocketData and a
        // Receive-SocketData -Count 0): unlike a ping-pong, they do not swing with vCPU wake-ups.
        const string NoIo = """
            param($port, $n)
            $c = Connect-Socket 127.0.0.1 $port
            $empty = [byte[]]::new(0)
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            for ($i = 0; $i -lt $n; $i++) { Send-SocketData $c $empty; $r = Receive-SocketData $c -Count 0 -AsByteArray }
            $t = $sw.Elapsed.TotalMilliseconds * 1000 / $n
            Close-Socket $c
            $t
            """;
        var watch = Stopwatch.StartNew();
        // Until the no-I/O pair stops getting faster (the best of the last four chunks within 5% of
        // the best of the four before), at least `least`, at most `most`.
        var least = _z.Quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(25);
        var most = _z.Quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(45);
        var perPair = new List<double>();
        while (watch.Elapsed < most)
        {
            if (watch.Elapsed >= least && perPair.Count >= 8
                && perPair.TakeLast(4).Min() >= 0.95 * perPair.SkipLast(4).TakeLast(4).Min())
            {
                break;
            }
            using (var echo = Peers.Echo())
            {
                perPair.Add(_ps.RunNumber(NoIo, ScriptLimit, echo.Port, 2000));
            }
            PsPing(Scripts.PingPong, 0.1);
            PsPipeline(4 << 20, 64 * 1024, Scripts.BulkPipeline);
            _ps.RunNumber(Scripts.Connections, ScriptLimit, 20);
        }
        double first = perPair[0], last = perPair.TakeLast(3).Min();
        _log($"engine warm-up: {watch.Elapsed.TotalSeconds:0.0} s of cmdlet calls; a Send-SocketData + Receive-SocketData pair without I/O went from {first:0} to {last:0} µs");
        WarmUpNote = $"Before any row, the harness ran the cmdlets for {watch.Elapsed.TotalSeconds:0} s: the engine from NuGet is IL only, and with tiered JIT and dynamic PGO a cmdlet call takes seconds to reach its final speed (a Send-SocketData + Receive-SocketData pair without I/O went from {first:0} to {last:0} µs meanwhile). Every row then warms up for {_z.WarmUp.TotalSeconds:0.##} s per implementation before its rounds.";
    }

    /// <summary>What the engine warm-up did, for the report.</summary>
    public string? WarmUpNote { get; private set; }

    // ---------------------------------------------------------------- 1. bulk

    /// <summary>Runs a sender against a fresh raw .NET sink and returns the GB/s the sink saw (first byte to end of stream).</summary>
    private static double IntoSink(long expected, Action<int> send)
    {
        using var sink = Peers.Sink();
        send(sink.Port);
        var got = sink.Wait(TimeSpan.FromMinutes(5));
        if (got.Bytes != expected)
        {
            throw new InvalidOperationException($"the sink received {got.Bytes} bytes, expected {expected}");
        }
        return GBps(got.Bytes, got.Seconds);
    }

    private double PsPipeline(long total, int size, string script)
    {
        int count = (int)(total / size);
        return IntoSink((long)count * size, port => _ps.Run(script, ScriptLimit, port, count, size));
    }

    private static double RawSend(long total, int size)
    {
        int count = (int)(total / size);
        return IntoSink((long)count * size, port =>
        {
            using var guard = new Watchdog(TimeSpan.FromMinutes(5));
            using var s = Net.Connect(port, guard);
            var chunk = new byte[size];
            for (int i = 0; i < count; i++)
            {
                int sent = 0;
                while (sent < size)
                {
                    sent += s.Send(chunk, sent, size - sent, SocketFlags.None);
                }
            }
            s.Shutdown(SocketShutdown.Send);
        });
    }

    private double PySend(long total, int size)
    {
        int count = (int)(total / size);
        return IntoSink((long)count * size, port => _py!.Call(new { op = "bulk_send", port, bytes = (long)count * size, chunk = size }, PyLimit));
    }

    public void Bulk()
    {
        _log($"1. bulk, {_z.BulkBytes >> 20} MiB per run");
        const int Chunk = 64 * 1024;
        long total = _z.BulkBytes;

        var pipe = new Row("1 bulk", "bulk send, 64 KiB byte[]s piped into one Send-SocketData", "GB/s", Better.Higher);
        pipe.Goals.Add(Goal.VsPython(0.9, "design"));
        pipe.Goals.Add(Goal.VsRaw(0.7, "issue 4"));
        pipe.Notes.Add("Every sender writes into the same raw .NET sink thread, which times first byte to end of stream; python3 is sendall() of 64 KiB bytes.");
        var loop = new Row("1 bulk", "bulk send, one Send-SocketData call per 64 KiB (for loop)", "GB/s", Better.Higher);
        loop.Notes.Add("Same as above, but a cmdlet invocation per chunk: the per-call cost at 64 KiB. Same baseline samples as the row above.");
        MeasureGroup([(pipe, () => PsPipeline(total, Chunk, Scripts.BulkPipeline)), (loop, () => PsPipeline(total, Chunk, Scripts.BulkPerCall))],
            () => RawSend(total, Chunk), _py is null ? null : () => PySend(total, Chunk));
        Rows.Add(pipe);
        Rows.Add(loop);

        string file = Path.Combine(_scratch, "bulk.bin");
        WriteFile(file, total);

        var sendFile = new Row("1 bulk", "bulk send of a file: Send-SocketData -Path", "GB/s", Better.Higher);
        sendFile.Goals.Add(Goal.VsPython(1.0, "design"));
        sendFile.Goals.Add(Goal.VsRaw(0.9, "issue 4"));
        sendFile.Notes.Add($"The file is in {(_scratch.StartsWith("/dev/shm", StringComparison.Ordinal) ? "/dev/shm (tmpfs)" : "the temp folder (page cache)")}, so the disk is not what is measured; raw .NET is Socket.SendFile, python3 is socket.sendfile (both sendfile(2)).");
        bool hasPath = _ps.HasCommand("Send-SocketData", "Path");
        if (!hasPath)
        {
            sendFile.PsMissing = "Send-SocketData has no -Path yet";
        }
        Measure(sendFile,
            hasPath ? () => IntoSink(total, port => _ps.Run(Scripts.SendFile, ScriptLimit, port, file)) : null,
            () => IntoSink(total, port =>
            {
                using var guard = new Watchdog(TimeSpan.FromMinutes(5));
                using var s = Net.Connect(port, guard);
                s.SendFile(file);
                s.Shutdown(SocketShutdown.Send);
            }),
            _py is null ? null : () => IntoSink(total, port => _py.Call(new { op = "send_file", port, path = file }, PyLimit)),
            tools:
            [
                ("socat", () => IntoSink(total, port => Tool("socat", "-u", $"OPEN:{file}", $"TCP:127.0.0.1:{port}"))),
                ("ncat", () => IntoSink(total, port => Tool("sh", "-c", "exec ncat --send-only 127.0.0.1 \"$1\" < \"$0\"", file, Port(port)))),
            ]);
        sendFile.Notes.Add("socat -u OPEN:file TCP:127.0.0.1:port and ncat --send-only 127.0.0.1 port < file, where installed: what a shell user types instead.");
        Rows.Add(sendFile);

        string outFile = Path.Combine(_scratch, "received.bin");
        var recvFile = new Row("1 bulk", "bulk receive into a file: Receive-SocketData -ToEnd -OutFile", "GB/s", Better.Higher);
        recvFile.Goals.Add(Goal.VsRaw(0.9, "issue 4"));
        recvFile.Goals.Add(Goal.VsPython(1.0, "issue 4"));
        recvFile.Notes.Add("The sender is a raw .NET thread; each receiver times connect-to-file-closed itself and writes into the same folder as the file of the row above. raw .NET: Receive into 64 KiB + FileStream.Write; python3: recv_into 64 KiB + write.");
        bool hasOutFile = _ps.HasCommand("Receive-SocketData", "OutFile");
        if (!hasOutFile)
        {
            recvFile.PsMissing = "Receive-SocketData has no -OutFile yet";
        }
        var payload = new byte[1024 * 1024];
        Random.Shared.NextBytes(payload);
        double FromSender(Func<int, double> receive)
        {
            using var sender = Peers.Sender(payload, total);
            double seconds = receive(sender.Port);
            sender.Wait(TimeSpan.FromMinutes(5));
            long length = new FileInfo(outFile).Length;
            File.Delete(outFile);
            return length == total ? GBps(total, seconds) : throw new InvalidOperationException($"the file has {length} bytes, expected {total}");
        }
        Measure(recvFile,
            hasOutFile ? () => FromSender(port => _ps.RunNumber(Scripts.ReceiveToFile, ScriptLimit, port, outFile)) : null,
            () => FromSender(port =>
            {
                using var guard = new Watchdog(TimeSpan.FromMinutes(5));
                using var s = Net.Connect(port, guard);
                var sw = Stopwatch.StartNew();
                using (var fs = new FileStream(outFile, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
                {
                    var buffer = new byte[64 * 1024];
                    int n;
                    while ((n = s.Receive(buffer)) > 0)
                    {
                        fs.Write(buffer, 0, n);
                    }
                }
                return sw.Elapsed.TotalSeconds;
            }),
            _py is null ? null : () => FromSender(port => _py.Call(new { op = "recv_file", port, path = outFile }, PyLimit).GetProperty("elapsed").GetDouble()),
            tools:
            [
                ("socat", () => FromSender(port => Tool("socat", "-u", $"TCP:127.0.0.1:{port}", $"CREATE:{outFile}"))),
                ("ncat", () => FromSender(port => Tool("sh", "-c", "exec ncat --recv-only 127.0.0.1 \"$1\" > \"$0\"", outFile, Port(port)))),
            ]);
        recvFile.Notes.Add("socat -u TCP:127.0.0.1:port CREATE:file and ncat --recv-only 127.0.0.1 port > file, where installed, timed from process start to exit (a few ms of start-up included).");
        Rows.Add(recvFile);
        File.Delete(file);
    }

    private static void WriteFile(string path, long size)
    {
        var block = new byte[1024 * 1024];
        Random.Shared.NextBytes(block);
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        for (long done = 0; done < size; done += block.Length)
        {
            fs.Write(block, 0, (int)Math.Min(block.Length, size - done));
        }
    }

    /// <summary>The chart: throughput against message size for the pipeline sender and the baselines.</summary>
    public void ChartSeries()
    {
        _log($"chart: throughput against message size, {_z.ChartBytes >> 20} MiB per point");
        int[] sizes = [1024, 8 * 1024, 64 * 1024, 1024 * 1024];
        var ps = new Series("PsSockets: byte[]s piped into Send-SocketData", "#1f77b4", new());
        var raw = new Series("raw .NET: Socket.Send loop", "#2ca02c", new());
        var py = new Series("python3: sendall loop", "#d62728", new());
        int rounds = Math.Max(1, _z.Rounds / 2);
        foreach (int size in sizes)
        {
            var row = new Row("chart", $"bulk send, {Report.Size(size)} messages", "GB/s", Better.Higher);
            Measure(row, () => PsPipeline(_z.ChartBytes, size, Scripts.BulkPipeline), () => RawSend(_z.ChartBytes, size),
                _py is null ? null : () => PySend(_z.ChartBytes, size), rounds);
            if (row.Ps.Median is { } a)
            {
                ps.Points[size] = a;
            }
            if (row.Raw.Median is { } b)
            {
                raw.Points[size] = b;
            }
            if (row.Py.Median is { } c)
            {
                py.Points[size] = c;
            }
        }
        Chart.AddRange([ps, raw, py]);
    }

    // ---------------------------------------------------------------- 2. ping-pong

    /// <summary>Runs a client against a fresh raw .NET echo thread; the client returns (round trips, seconds); returns round trips/s.</summary>
    private static double WithEcho(Func<int, (long Count, double Seconds)> client)
    {
        using var echo = Peers.Echo();
        var (count, seconds) = client(echo.Port);
        long rounds = echo.Wait(TimeSpan.FromSeconds(30));
        if (count <= 0 || rounds < count)
        {
            throw new InvalidOperationException($"the echo peer answered {rounds} times, the client counted {count} round trips");
        }
        return count / seconds;
    }

    private double PsPing(string script, double seconds) => WithEcho(port =>
    {
        var output = _ps.Run(script, ScriptLimit, port, seconds);
        return (Convert.ToInt64(output[^2].BaseObject, System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToDouble(output[^1].BaseObject, System.Globalization.CultureInfo.InvariantCulture));
    });

    private static (long, double) RawPing(int port, double seconds)
    {
        using var guard = new Watchdog(TimeSpan.FromMinutes(5));
        using var s = Net.Connect(port, guard);
        var msg = new byte[64];
        var buf = new byte[64];
        long n = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 100; i++)
            {
                s.Send(msg);
                Net.ReceiveExactly(s, buf, 64);
            }
            n += 100;
        }
        return (n, sw.Elapsed.TotalSeconds);
    }

    private Func<double>? PyPing(int? cpu)
    {
        if (_py is null)
        {
            return null;
        }
        double seconds = _z.PingSeconds;
        return () => WithEcho(port =>
        {
            var r = _py.Call(new { op = "ping_pong", port, seconds, size = 64, cpu }, PyLimit);
            return (r.GetProperty("count").GetInt64(), r.GetProperty("elapsed").GetDouble());
        });
    }

    public void PingPong()
    {
        _log("2. ping-pong, 64 bytes");
        double seconds = _z.PingSeconds;
        Func<double> raw = () => WithEcho(port => RawPing(port, seconds));
        Func<double> psTwo = () => PsPing(Scripts.PingPong, seconds);
        Func<double> psMethods = () => PsPing(Scripts.PingPongRawMethods, seconds);
        Func<double>? psOne = null;
        if (_ps.HasCommand("Invoke-SocketRequest"))
        {
            string script = Scripts.PingPongRequest.Replace("ASBYTES", _ps.HasCommand("Invoke-SocketRequest", "AsByteArray") ? "-AsByteArray" : "", StringComparison.Ordinal);
            psOne = () => PsPing(script, seconds);
        }
        string echoNote = $"Each client does round trips for {seconds} s against a raw .NET echo thread (TCP_NODELAY), the same for all three; the clients use default socket options. Raw .NET: blocking Socket.Send + Receive until 64 bytes; python3: sendall + recv.";
        int? cpu = PinCpu;
        string where = cpu is { } c
            ? $"One CPU: the harness (all its threads) and python3 are pinned to CPU {c} for these runs, so no wake-up crosses vCPUs and the row measures what a round trip costs in CPU, the engine's per-cmdlet cost included (see 'Where a round trip through the cmdlets goes'). On this VM an idle vCPU halts at once and is woken through the hypervisor (~50-100 µs), which the 'as scheduled' rows include."
            : "Not pinned: sched_setaffinity is not available here.";

        Row Make(string name, string? missing, params Goal[] goals)
        {
            var row = new Row("2 ping-pong", name, "round trips/s", Better.Higher) { PsMissing = missing };
            row.Goals.AddRange(goals);
            row.Notes.Add(echoNote);
            row.Notes.Add(where);
            return row;
        }
        // Each goal is checked twice: as scheduled (what a user of this machine sees, and how design.md
        // measures) and on one CPU (what a round trip costs in CPU, where the engine's per-cmdlet cost shows).
        Goal[] twoGoals = [Goal.VsPython(0.7, "design"), Goal.VsPython(0.5, "issue 4")];
        Goal[] oneGoals = [Goal.VsPython(1.2, "design"), Goal.VsPython(1.0, "issue 4")];
        string? oneMissing = psOne is null ? "Invoke-SocketRequest does not exist yet" : null;
        const string MethodsNote = "No cmdlet: .NET methods of the underlying Socket called from script, to show what the engine itself costs per round trip.";
        var py = PyPing(cpu);
        if (cpu is not null)
        {
            var two = Make("64 B ping-pong: Send-SocketData + Receive-SocketData -Count 64, one CPU", null, twoGoals);
            var methods = Make("64 B ping-pong: $c.Socket.Send/.Receive called from a PowerShell loop (no cmdlet), one CPU", null);
            methods.Notes.Add(MethodsNote);
            var one = Make("64 B ping-pong: Invoke-SocketRequest -Count 64 (one cmdlet), one CPU", oneMissing, oneGoals);
            MeasureGroup([(two, Pinned(cpu, psTwo)), (methods, Pinned(cpu, psMethods)), (one, psOne is null ? null : Pinned(cpu, psOne))],
                Pinned(cpu, raw), py is null ? null : Pinned(cpu, py));
            Rows.AddRange([two, methods, one]);
        }
        string free = "As scheduled: nothing pinned, threads go where the scheduler puts them, as when a user runs the loop; design.md's goals are stated for this. On this VM placement swings the result: a client whose threads all block (raw .NET, python3) pays two hypervisor wake-ups per round trip when its peer sits on the other vCPU and runs several times faster when the scheduler keeps both on one. PsSockets' receive checks for the reply for up to 200 µs before it sleeps (while the peer answers within that), and a PowerShell loop keeps its vCPU busy between calls, so it pays fewer. The spread table shows the swings; the one-CPU rows show the CPU cost.";
        Row Free(string name, string? missing, params Goal[] goals)
        {
            var row = Make(name, missing, goals);
            row.Notes.RemoveAt(row.Notes.Count - 1);
            row.Notes.Add(free);
            return row;
        }
        var twoFree = Free("64 B ping-pong: Send-SocketData + Receive-SocketData -Count 64, as scheduled", null, twoGoals);
        var methodsFree = Free("64 B ping-pong: $c.Socket.Send/.Receive from a PowerShell loop, as scheduled", null);
        methodsFree.Notes.Add(MethodsNote);
        var oneFree = Free("64 B ping-pong: Invoke-SocketRequest -Count 64 (one cmdlet), as scheduled", oneMissing, oneGoals);
        MeasureGroup([(twoFree, psTwo), (methodsFree, psMethods), (oneFree, psOne)], raw, cpu is null ? py : PyPing(null));
        Rows.AddRange([twoFree, methodsFree, oneFree]);
    }

    // ---------------------------------------------------------------- 3. connections

    public void Connections()
    {
        _log("3. connections");
        var row = new Row("3 connections", "connect + accept + close both ends", "connections/s", Better.Higher);
        row.Notes.Add("One process plays both ends: PsSockets with Start-SocketListener/Connect-Socket/Wait-SocketConnection/Close-Socket, raw .NET with Socket.Connect/Accept/Dispose, python3 with create_connection/accept/close.");
        Measure(row,
            () => _z.ConnPs / _ps.RunNumber(Scripts.Connections, ScriptLimit, _z.ConnPs),
            () =>
            {
                int n = _z.ConnRaw;
                using var l = Net.Listen();
                using var guard = new Watchdog(TimeSpan.FromMinutes(2), l);
                var ep = new IPEndPoint(IPAddress.Loopback, Net.PortOf(l));
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < n; i++)
                {
                    var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    c.Connect(ep);
                    var a = l.Accept();
                    c.Dispose();
                    a.Dispose();
                }
                return n / sw.Elapsed.TotalSeconds;
            },
            _py is null ? null : () => _z.ConnPy / _py.Call(new { op = "connections", count = _z.ConnPy }, PyLimit).GetProperty("elapsed").GetDouble());
        Rows.Add(row);
    }

    // ---------------------------------------------------------------- 4. select

    private static double WithReadySockets(int n, Func<int, double> run)
    {
        using var acceptor = Peers.ReadyAcceptor(n);
        try
        {
            return run(acceptor.Port);
        }
        finally
        {
            try
            {
                foreach (var s in acceptor.Wait(TimeSpan.FromSeconds(30)))
                {
                    s.Dispose();
                }
            }
            catch (Exception)
            {
                // the run failed first; its error is the one reported
            }
        }
    }

    private static double RawSelect(int port, int n, int calls)
    {
        using var guard = new Watchdog(TimeSpan.FromMinutes(2));
        var socks = new List<Socket>(n);
        try
        {
            for (int i = 0; i < n; i++)
            {
                socks.Add(Net.Connect(port, guard));
            }
            var list = new List<Socket>(socks);
            Socket.Select(list, null, null, TimeSpan.FromSeconds(5));
            if (list.Count != 1)
            {
                throw new InvalidOperationException($"expected one ready socket, got {list.Count}");
            }
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++)
            {
                list.Clear();
                list.AddRange(socks);
                Socket.Select(list, null, null, TimeSpan.FromSeconds(1));
            }
            double perCall = sw.Elapsed.TotalMilliseconds / calls;
            return list.Count == 1 ? perCall : throw new InvalidOperationException($"expected one ready socket, got {list.Count}");
        }
        finally
        {
            foreach (var s in socks)
            {
                s.Dispose();
            }
        }
    }

    public void Select()
    {
        _log("4. select");
        foreach (int n in new[] { 10, 100, 1000 })
        {
            int calls = n >= 1000 ? _z.SelectCalls : _z.SelectCalls * 5;
            var row = new Row("4 select", $"one select over {n:#,0} sockets, one of them ready", "ms/call", Better.Lower);
            if (n == 1000)
            {
                row.Goals.Add(Goal.AtMost(5, "ms", "design"));
            }
            if (n == 10)
            {
                row.Notes.Add("Select-Socket -Read $socks -Timeout 1 with $socks an object[] as a foreach collects it; raw .NET Socket.Select over a List (refilled each call, poll(2) underneath); python3 select.select.");
            }
            Measure(row,
                () => WithReadySockets(n, port => 1000 * _ps.RunNumber(Scripts.Select, ScriptLimit, port, n, calls)),
                () => WithReadySockets(n, port => RawSelect(port, n, calls)),
                _py is null ? null : () => WithReadySockets(n, port =>
                {
                    var r = _py.Call(new { op = "select", port, n, calls }, PyLimit);
                    return 1000 * r.GetProperty("elapsed").GetDouble() / calls;
                }));
            Rows.Add(row);
        }
    }

    // ---------------------------------------------------------------- 8. network check

    private const int CheckedPorts = 1000;
    private const int CheckConcurrency = 64;

    public void Checks()
    {
        _log($"8. network check, {CheckedPorts:#,0} closed ports");
        var row = new Row("8 network check", $"check {CheckedPorts:#,0} closed loopback ports, {CheckConcurrency} at a time", "ms", Better.Lower);
        row.Notes.Add($"The ports are bound and never listening, so every connect is refused. Test-SocketConnection 127.0.0.1 $ports -Timeout 5 (ThrottleLimit {CheckConcurrency} by default); raw .NET: Socket.ConnectAsync per port under a SemaphoreSlim({CheckConcurrency}); python3: asyncio.open_connection per port under an asyncio.Semaphore({CheckConcurrency}), gathered, in asyncio.run.");
        if (!_ps.HasCommand("Test-SocketConnection"))
        {
            row.PsMissing = "Test-SocketConnection does not exist yet";
        }
        var closed = new List<Socket>(CheckedPorts);
        try
        {
            for (int i = 0; i < CheckedPorts; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                closed.Add(s);
                s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }
            int[] ports = closed.Select(Net.PortOf).ToArray();
            Measure(row,
                row.PsMissing is null ? () => 1000 * _ps.RunNumber(Scripts.Checks, ScriptLimit, (object)ports) : null,
                () => RawChecks(ports),
                _py is null ? null : () => 1000 * _py.Call(new { op = "checks", ports, concurrency = CheckConcurrency }, PyLimit).GetProperty("elapsed").GetDouble());
        }
        finally
        {
            closed.ForEach(s => s.Dispose());
        }
        Rows.Add(row);
    }

    private static double RawChecks(int[] ports)
    {
        using var slots = new SemaphoreSlim(CheckConcurrency);
        var sw = Stopwatch.StartNew();
        var checks = ports.Select(async port =>
        {
            await slots.WaitAsync().ConfigureAwait(false);
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), limit.Token).ConfigureAwait(false);
                return false;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return true;
            }
            finally
            {
                slots.Release();
            }
        }).ToArray();
        bool[] refused = Task.WhenAll(checks).GetAwaiter().GetResult();
        double ms = sw.Elapsed.TotalMilliseconds;
        int count = refused.Count(r => r);
        return count == ports.Length ? ms : throw new InvalidOperationException($"expected {ports.Length} refused ports, got {count}");
    }

    // ---------------------------------------------------------------- 5. lines

    public void Lines()
    {
        _log($"5. lines, {_z.Lines:#,0} per run");
        var text = new StringBuilder();
        for (int i = 0; i < _z.Lines; i++)
        {
            text.Append("line ").Append(i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture)).Append(" the quick brown fox jumps over\n");
        }
        byte[] payload = Encoding.UTF8.GetBytes(text.ToString());
        int expected = _z.Lines;

        double FromSender(Func<int, (int Count, double Seconds)> receive)
        {
            using var sender = Peers.Sender(payload, payload.Length);
            var (count, seconds) = receive(sender.Port);
            sender.Wait(TimeSpan.FromMinutes(2));
            return count == expected ? count / seconds : throw new InvalidOperationException($"received {count} lines, expected {expected}");
        }
        (int, double) RunPs(string script, int port)
        {
            var output = _ps.Run(script, ScriptLimit, port);
            return (Convert.ToInt32(output[^2].BaseObject, System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToDouble(output[^1].BaseObject, System.Globalization.CultureInfo.InvariantCulture));
        }
        Func<double> raw = () => FromSender(port =>
        {
            using var guard = new Watchdog(TimeSpan.FromMinutes(2));
            var s = Net.Connect(port, guard);
            using var reader = new StreamReader(new NetworkStream(s, ownsSocket: true), new UTF8Encoding(false), false, 64 * 1024);
            int n = 0;
            var sw = Stopwatch.StartNew();
            while (reader.ReadLine() is not null)
            {
                n++;
            }
            return (n, sw.Elapsed.TotalSeconds);
        });
        Func<double>? py = _py is null ? null : () => FromSender(port =>
        {
            var r = _py.Call(new { op = "lines", port }, PyLimit);
            return (r.GetProperty("count").GetInt32(), r.GetProperty("elapsed").GetDouble());
        });

        var assign = new Row("5 lines", "lines received: $lines = Receive-SocketData -Line -Continuous", "lines/s", Better.Higher);
        assign.Notes.Add($"~{payload.Length / _z.Lines} bytes a line, from a raw .NET sender that then closes; raw .NET: StreamReader.ReadLine over a NetworkStream; python3: readline() over socket.makefile('r', encoding='utf-8'). All three decode to strings.");
        var each = new Row("5 lines", "lines received: Receive-SocketData -Line -Continuous | ForEach-Object { $n++ }", "lines/s", Better.Higher);
        MeasureGroup([(assign, () => FromSender(port => RunPs(Scripts.LinesAssign, port))), (each, () => FromSender(port => RunPs(Scripts.LinesForEach, port)))], raw, py);
        Rows.Add(assign);
        Rows.Add(each);
    }

    // ---------------------------------------------------------------- 6. memory

    /// <summary>
    /// The harness itself in a child mode (PsSockets or raw .NET receiver, or an import, in a process of
    /// its own): from the ReadyToRun copy the build leaves in precompiled/ when <paramref name="precompiled"/>
    /// and it exists, so that the engine starts as pwsh's precompiled one does.
    /// </summary>
    public static ProcessStartInfo SelfChild(bool precompiled, params string[] args)
    {
        string self = (precompiled ? PrecompiledSelf : null) ?? Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(Bench).Assembly.Location);
        }
        info.ArgumentList.Add("--child");
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        return info;
    }

    /// <summary>The ReadyToRun copy of the harness (engine included) that PsSockets.Bench.csproj publishes after each build, or null.</summary>
    public static string? PrecompiledSelf
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "precompiled", OperatingSystem.IsWindows() ? "PsSockets.Bench.exe" : "PsSockets.Bench");
            return File.Exists(path) ? path : null;
        }
    }

    private static string EngineBuild(bool precompiled) =>
        precompiled && PrecompiledSelf is not null ? "engine ReadyToRun, as pwsh ships it" : "engine IL only, as the NuGet package ships it";

    private sealed record MemResult(double PeakMiB, double BeforeMiB, double GBps);

    private static MemResult StreamTo(long bytes, Func<int, ProcessStartInfo> child)
    {
        var payload = new byte[1024 * 1024];
        Random.Shared.NextBytes(payload);
        using var sender = Peers.Sender(payload, bytes);
        string line = Children.RunToEnd(child(sender.Port), TimeSpan.FromMinutes(5));
        sender.Wait(TimeSpan.FromMinutes(1));
        var r = JsonDocument.Parse(line).RootElement;
        if (r.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException(error.GetString());
        }
        if (r.GetProperty("bytes").GetInt64() != bytes)
        {
            throw new InvalidOperationException($"the receiver counted {r.GetProperty("bytes").GetInt64()} bytes, expected {bytes}");
        }
        if (r.TryGetProperty("peak_reset", out var reset) && !reset.GetBoolean())
        {
            throw new InvalidOperationException("could not reset the peak RSS (/proc/self/clear_refs)");
        }
        return new MemResult(r.GetProperty("peak_kb").GetDouble() / 1024, r.GetProperty("rss_before_kb").GetDouble() / 1024,
            GBps(bytes, r.GetProperty("elapsed").GetDouble()));
    }

    public void Memory()
    {
        _log($"6. memory while streaming {_z.MemSmall >> 20} and {_z.MemBig >> 20} MiB (receivers in their own processes)");
        Func<int, ProcessStartInfo> ps = port => SelfChild(true, "mem-ps", port.ToString(System.Globalization.CultureInfo.InvariantCulture), _modulePath);
        Func<int, ProcessStartInfo> raw = port => SelfChild(true, "mem-raw", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Func<int, ProcessStartInfo> py = port => PythonPeer.Info("once", JsonSerializer.Serialize(new { op = "mem_recv", port }));
        var speed = new Row("6 memory", $"streaming receive (own process), {Report.Size(_z.MemBig)}: Receive-SocketData -Continuous -AsByteArray | ForEach-Object", "GB/s", Better.Higher);
        speed.Notes.Add("Throughput of the big memory run above: each receiver is a fresh process of its own, started from the ReadyToRun copy of the harness (engine precompiled, as in pwsh) and not warmed up; raw .NET reuses one 64 KiB buffer, python3 recv(65536) makes a bytes object per piece, like the cmdlet's byte[] per piece.");
        var rows = new List<Row>();
        foreach (long size in new[] { _z.MemSmall, _z.MemBig })
        {
            var row = new Row("6 memory", $"peak working set while streaming {Report.Size(size)} in", "MiB", Better.Lower) { ShowRatios = false };
            var befores = new List<string>();
            double Record(MemResult m, string who)
            {
                befores.Add($"{who} {m.BeforeMiB:0}");
                if (size == _z.MemBig)
                {
                    (who switch { "PsSockets" => speed.Ps, "raw" => speed.Raw, _ => speed.Py }).Add(m.GBps);
                }
                return m.PeakMiB;
            }
            // Every child process starts cold and has nothing to share with the next: no warm-up run.
            Measure(row, () => Record(StreamTo(size, ps), "PsSockets"), () => Record(StreamTo(size, raw), "raw"),
                _py is null ? null : () => Record(StreamTo(size, py), "python3"), _z.MemRounds, warmUp: false);
            row.Notes.Add($"Peak RSS (VmHWM) of the receiving process during the stream: the peak is reset (/proc/self/clear_refs) after start-up, connect and a GC, just before the first receive. RSS at that point, MiB: {string.Join(", ", befores.Distinct())}.");
            rows.Add(row);
        }
        var small = rows[0];
        var big = rows[1];
        big.Goals.Add(new Goal("flat (design): grows < 16 MiB from the small run", r =>
            r.Ps.Median is { } b && small.Ps.Median is { } s ? b - s < 16 : null));
        Rows.AddRange(rows);
        Rows.Add(speed);
    }

    // ---------------------------------------------------------------- import

    public void Import()
    {
        _log("import: Import-Module in fresh processes");
        Row Make(string name, params Goal[] goals)
        {
            var row = new Row("import", name, "ms", Better.Lower) { ShowRatios = false, RawMissing = "-", PyMissing = "-" };
            row.Goals.AddRange(goals);
            return row;
        }
        var cold = Make($"Import-Module PsSockets, first in a fresh process ({EngineBuild(true)})", Goal.AtMost(100, "ms", "design"));
        var coldIl = Make($"Import-Module PsSockets, first in a fresh process ({EngineBuild(false)})");
        var warm = Make("Import-Module PsSockets, again in a new runspace of the same process");
        var reference = Make($"reference: Import-Module of a manifest module with one do-nothing cmdlet, fresh process ({EngineBuild(true)})");
        cold.Notes.Add("pwsh ships System.Management.Automation ReadyToRun-compiled; the NuGet package is IL only, so a fresh process hosting it JIT-compiles the engine's import path (manifest parsing and checks, module analysis) first. The build publishes a ReadyToRun copy of the harness, engine included, and the goal row runs there; the IL-only row shows the difference.");
        reference.Notes.Add("A psd1 whose RootModule is the harness's own assembly (one cmdlet that does nothing): what the engine charges for any manifest module. The assembly is already loaded in that process, so this is a lower bound.");
        string referenceModule = WriteReferenceModule();
        var opens = new List<double>();
        for (int i = 0; i < _z.ImportRounds; i++)
        {
            try
            {
                var r = ImportChild(true, _modulePath);
                cold.Ps.Add(r.GetProperty("import_ms").GetDouble());
                warm.Ps.Add(r.GetProperty("warm_import_ms").GetDouble());
                opens.Add(r.GetProperty("open_ms").GetDouble());
                coldIl.Ps.Add(ImportChild(false, _modulePath).GetProperty("import_ms").GetDouble());
                reference.Ps.Add(ImportChild(true, referenceModule).GetProperty("import_ms").GetDouble());
            }
            catch (Exception e)
            {
                cold.Ps.Fail(e.Message);
                cold.Notes.Add("failed: " + e.Message);
                break;
            }
        }
        if (opens.Count > 0)
        {
            cold.Notes.Add($"Timed around Import-Module only, in a child process that had just opened its first runspace (which took {opens.OrderBy(x => x).ElementAt(opens.Count / 2):0} ms, not counted); median of {opens.Count} processes.");
        }
        _log($"  import: cold {cold.Cell(cold.Ps, null)} ms ({EngineBuild(true)}), {coldIl.Cell(coldIl.Ps, null)} ms ({EngineBuild(false)}), warm {warm.Cell(warm.Ps, null)} ms, reference module cold {reference.Cell(reference.Ps, null)} ms");
        Rows.AddRange([cold, coldIl, warm, reference]);
    }

    private static JsonElement ImportChild(bool precompiled, string module) =>
        JsonDocument.Parse(Children.RunToEnd(SelfChild(precompiled, "import", module), TimeSpan.FromMinutes(2))).RootElement;

    /// <summary>A manifest module folder around the harness's own do-nothing cmdlet, in the scratch folder.</summary>
    private string WriteReferenceModule()
    {
        string folder = Path.Combine(_scratch, "BenchNothing");
        Directory.CreateDirectory(folder);
        string dll = Path.Combine(Path.GetDirectoryName(PrecompiledSelf ?? typeof(Bench).Assembly.Location)!, "PsSockets.Bench.dll");
        File.WriteAllText(Path.Combine(folder, "BenchNothing.psd1"), $$"""
            @{
                RootModule        = '{{dll.Replace("'", "''", StringComparison.Ordinal)}}'
                ModuleVersion     = '1.0.0'
                GUID              = '9a1c2f3e-0b4d-4e6f-8a7b-1c2d3e4f5a6b'
                PowerShellVersion = '7.4'
                CmdletsToExport   = @('Invoke-BenchNothing')
                FunctionsToExport = @()
                VariablesToExport = @()
                AliasesToExport   = @()
            }
            """);
        return folder;
    }
}
