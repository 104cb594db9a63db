using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace PsSockets.Bench;

/// <summary>One line of the breakdown: what runs per iteration, and its median µs unpinned and on one CPU.</summary>
internal sealed record Step(string What, string Kind, Samples Free, Samples Pinned);

/// <summary>
/// Where the time of a 64-byte round trip through the cmdlets goes: the same loop with layers taken
/// away (no I/O, no cmdlet, no engine), in µs per iteration, unpinned and on one CPU.
/// </summary>
internal sealed class Profile
{
    private readonly PsEngine _ps;
    private readonly int _rounds;
    private readonly int _calls;
    private readonly int _trips;
    private readonly Action<string> _log;

    public Profile(PsEngine ps, Sizes z, Action<string> log)
    {
        _ps = ps;
        _rounds = z.Quick ? 3 : 5;
        _calls = z.Quick ? 4000 : 20000;
        _trips = z.Quick ? 1500 : 8000;
        _log = log;
    }

    public List<Step> Steps { get; } = new();

    // Every script connects to the echo peer, loops $n times and writes µs per iteration.
    private const string Head = """
        param($port, $n)
        $c = Connect-Socket 127.0.0.1 $port
        $msg = [byte[]]::new(64)
        $buf = [byte[]]::new(64)
        $empty = [byte[]]::new(0)
        $none = [System.Net.Sockets.SocketFlags]::None
        $token = [System.Threading.CancellationToken]::None
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        for ($i = 0; $i -lt $n; $i++) {
        """;

    private const string Tail = """
        }
        $t = $sw.Elapsed.TotalMilliseconds * 1000 / $n
        Close-Socket $c
        $t
        """;

    private static readonly (string What, string Kind, string Body)[] Scripts =
    [
        ("empty for loop", "engine", ""),
        ("$null = $msg.Length (a .NET property from script)", "engine", "$null = $msg.Length"),
        ("Out-Null -InputObject $msg (special-cased by the engine: no pipeline is built)", "engine", "Out-Null -InputObject $msg"),
        ("Invoke-BenchNothing $c $empty (a compiled cmdlet that does nothing, same parameter shape)", "engine", "Invoke-BenchNothing $c $empty"),
        ("Send-SocketData $c $empty (0 bytes: the cmdlet, no syscall)", "cmdlet, no I/O", "Send-SocketData $c $empty"),
        ("Send-SocketData $c $empty -Timeout 5 (adds the Deadline's CancellationTokenSource)", "cmdlet, no I/O", "Send-SocketData $c $empty -Timeout 5"),
        ("$r = Receive-SocketData $c -Count 0 -AsByteArray (the cmdlet, no syscall)", "cmdlet, no I/O", "$r = Receive-SocketData $c -Count 0 -AsByteArray"),
        ("per pipeline item: $items | Invoke-BenchNothing $c", "engine", "PIPE:Invoke-BenchNothing $c"),
        ("per pipeline item: $items | Send-SocketData $c (0-byte items, no syscall)", "cmdlet, no I/O", "PIPE:Send-SocketData $c"),
        ("Send-SocketData $c $msg (64 B out, echo read back raw)", "one cmdlet + I/O", "Send-SocketData $c $msg; $null = $c.Socket.Receive($buf, 0, 64, $none)"),
        ("$c.Socket.Send/.Receive from script (no cmdlet)", "round trip", "$null = $c.Socket.Send($msg); $null = $c.Socket.Receive($buf, 0, 64, $none)"),
        ("$c.Send + $c.ReceiveAvailable (PsSockets.Core API from script, no cmdlet)", "round trip", "$c.Send($msg, $null, $token); $r = $c.ReceiveAvailable(64, $false, $null, $token)"),
        ("Send-SocketData + Receive-SocketData -Count 64 -AsByteArray", "round trip", "Send-SocketData $c $msg; $r = Receive-SocketData $c -Count 64 -AsByteArray"),
        ("the same with -Timeout 5 on both", "round trip", "Send-SocketData $c $msg -Timeout 5; $r = Receive-SocketData $c -Count 64 -AsByteArray -Timeout 5"),
    ];

    public void Run()
    {
        _log("profile: a round trip through the cmdlets, layer by layer (µs per iteration)");
        int? cpu = Affinity.Supported ? Affinity.Cpu : null;
        var measures = new List<(Step Step, Func<double> Run)>();
        _ps.Run("Import-Module $args[0] -ErrorAction Stop", TimeSpan.FromSeconds(30), typeof(Profile).Assembly.Location);
        foreach (var (what, kind, body) in Scripts)
        {
            // PIPE: the command gets $n items from the pipeline in one invocation, instead of $n invocations.
            string script = body.StartsWith("PIPE:", StringComparison.Ordinal)
                ? Head.Replace("for ($i = 0; $i -lt $n; $i++) {", "$items = @(,$empty) * $n; $sw.Restart()\n", StringComparison.Ordinal) + "$items | " + body[5..] + "\n" + Tail.TrimStart().TrimStart('}')
                : Head + "    " + body + "\n" + Tail;
            int n = kind.StartsWith("engine", StringComparison.Ordinal) || kind.StartsWith("cmdlet", StringComparison.Ordinal) ? _calls : _trips;
            measures.Add((new Step(what, "PowerShell: " + kind, new(), new()), () => WithEcho(port => _ps.RunNumber(script, TimeSpan.FromMinutes(2), port, n))));
        }
        measures.Add((new Step("C#: Socket.Send + Socket.Receive on a blocking socket", "C#, round trip", new(), new()), () => WithEcho(port => CSharp(port, Mode.Blocking))));
        measures.Add((new Step("C#: Socket.Send + Socket.Receive after ConnectAsync (fd non-blocking: .NET waits through its epoll thread)", "C#, round trip", new(), new()), () => WithEcho(port => CSharp(port, Mode.SyncOnNonBlocking))));
        measures.Add((new Step("C#: SendAsync/ReceiveAsync(token) waited with GetResult(), as PsSocket does", "C#, round trip", new(), new()), () => WithEcho(port => CSharp(port, Mode.AsyncOverSync))));
        foreach (var (_, run) in measures)
        {
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < 20 && (i == 0 || warm.ElapsedMilliseconds < 250); i++)
            {
                Safe(run); // warm-up: the engine's JIT reaches steady state first
            }
        }
        for (int r = 0; r < _rounds; r++)
        {
            foreach (var (step, run) in measures)
            {
                if (Safe(run) is { } free)
                {
                    step.Free.Add(free);
                }
                if (cpu is { } c)
                {
                    Affinity.Pin(c);
                    try
                    {
                        if (Safe(run) is { } pinned)
                        {
                            step.Pinned.Add(pinned);
                        }
                    }
                    finally
                    {
                        Affinity.Unpin();
                    }
                }
            }
        }
        foreach (var (step, _) in measures)
        {
            Steps.Add(step);
            _log($"  {step.What}: {Us(step.Free.Median)} µs, one CPU {Us(step.Pinned.Median)} µs");
        }
    }

    private double? Safe(Func<double> run)
    {
        try
        {
            return run();
        }
        catch (Exception e)
        {
            _log("  ! profile: " + e.Message);
            return null;
        }
    }

    private static double WithEcho(Func<int, double> client)
    {
        using var echo = Peers.Echo();
        double us = client(echo.Port);
        echo.Wait(TimeSpan.FromSeconds(30));
        return us;
    }

    private enum Mode
    {
        Blocking,
        SyncOnNonBlocking,
        AsyncOverSync,
    }

    private double CSharp(int port, Mode mode)
    {
        using var guard = new Watchdog(TimeSpan.FromMinutes(2));
        Socket s;
        if (mode == Mode.Blocking)
        {
            s = Net.Connect(port, guard);
        }
        else
        {
            s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            guard.Add(s);
            using var connecting = new CancellationTokenSource(Net.OpTimeout);
            s.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), connecting.Token).AsTask().GetAwaiter().GetResult();
            Net.Prepare(s);
        }
        using var owned = s;
        bool asyncOverSync = mode == Mode.AsyncOverSync;
        var msg = new byte[64];
        var buf = new byte[64];
        using var stop = new CancellationTokenSource();
        var token = stop.Token;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < _trips; i++)
        {
            if (asyncOverSync)
            {
                var sent = s.SendAsync(msg.AsMemory(), SocketFlags.None, token);
                _ = sent.IsCompletedSuccessfully ? sent.Result : sent.AsTask().GetAwaiter().GetResult();
                int got = 0;
                while (got < 64)
                {
                    var pending = s.ReceiveAsync(buf.AsMemory(got), SocketFlags.None, token);
                    got += pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
                }
            }
            else
            {
                s.Send(msg);
                Net.ReceiveExactly(s, buf, 64);
            }
        }
        return sw.Elapsed.TotalMilliseconds * 1000 / _trips;
    }

    public static string Us(double? v) => v is { } x ? x.ToString(x < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) : "n/a";

    public string ConsoleTable()
    {
        var sb = new StringBuilder();
        int w = Steps.Max(s => s.What.Length);
        int k = Steps.Max(s => s.Kind.Length);
        sb.AppendLine($"{"per iteration".PadRight(w)}  {"what".PadRight(k)}  {"µs",8}  {"µs, one CPU",11}");
        foreach (var s in Steps)
        {
            sb.AppendLine($"{s.What.PadRight(w)}  {s.Kind.PadRight(k)}  {Us(s.Free.Median),8}  {Us(s.Pinned.Median),11}");
        }
        return sb.ToString();
    }

    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Where a round trip through the cmdlets goes");
        sb.AppendLine();
        sb.AppendLine("The 64-byte ping-pong loop with layers taken away, µs per iteration (median of " + _rounds + " rounds; \"one CPU\": the harness pinned to one vCPU, no cross-vCPU wake-ups).");
        sb.AppendLine("The difference between two lines is what the layer costs. Each script connects to the same raw .NET echo thread.");
        sb.AppendLine();
        sb.AppendLine("| per iteration | kind | µs | µs, one CPU |");
        sb.AppendLine("|---|---|--:|--:|");
        foreach (var s in Steps)
        {
            sb.AppendLine($"| {s.What.Replace("|", "\\|", StringComparison.Ordinal)} | {s.Kind} | {Us(s.Free.Median)} | {Us(s.Pinned.Median)} |");
        }
        return sb.ToString();
    }
}
