using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// examples/select-server.ps1, the one-thread select server: run by the shell as a user runs it, driven
/// by 200 python3 clients at once, and stopped as Ctrl+C stops it.
/// </summary>
public sealed partial class SelectServerExampleTests(PsSession ps) : SocketTestBase(ps)
{
    private static readonly string Example = Path.Combine(ModuleLayout.RepoRoot, "examples", "select-server.ps1");

    // 200 clients by default; 1,000 with PSSOCKETS_HEAVY_TESTS=1. One in twenty resets after its first echo.
    private static readonly int Clients = Environment.GetEnvironmentVariable("PSSOCKETS_HEAVY_TESTS") == "1" ? 1000 : 200;

    [Fact]
    public void HundredsOfClientsAtOnceEachGetTheirOwnEchoesAndDeadOnesAreDropped()
    {
        const int messages = 10;
        int resets = Clients / 20;
        DescriptorLimit.RaiseTo(2 * Clients + 512); // the python clients inherit it
        using var server = RunningShell.Start("-NoProfile", "-File", Example, "-MaxClients", $"{Clients}");
        int port = server.ListeningPort();
        using var clients = PythonPeer.Start("select_clients.py", "echo", $"{port}", $"{Clients}", $"{messages}", $"{resets}");

        string summary = clients.ReadLine(Seconds(240));
        int echoes = (Clients - resets) * messages + resets;
        var echoed = Regex.Match(summary, $@"^OK {Clients} clients echoed {echoes} messages, {resets} reset, (\d+) bytes$");
        Assert.True(echoed.Success, $"the clients said: {summary}\nthe server said:\n{server.Output}");
        Assert.Equal(0, server.WaitForExit(Seconds(60)));
        Assert.EndsWith($"served {Clients} clients ({resets} dropped), received {echoed.Groups[1].Value} bytes; 0 still connected at the end", server.Output.TrimEnd());
    }

    [Fact]
    public void InChatModeEachLineReachesEveryOtherClient()
    {
        using var server = RunningShell.Start("-NoProfile", "-File", Example, "-Chat", "-MaxClients", "5");
        using var clients = PythonPeer.Start("select_clients.py", "chat", $"{server.ListeningPort()}", "5");

        Assert.Equal("OK 4 clients heard it", clients.ReadLine(Seconds(60)));
        Assert.Equal(0, server.WaitForExit(Seconds(60)));
        Assert.Contains("served 5 clients (0 dropped)", server.Output);
    }

    [Fact]
    public void CtrlCStopsTheServerPromptlyAndClosesEverySocket()
    {
        int port = FreePort();
        Ps.Set("example", Example);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Stopped once it serves: it accepted this client and welcomed it (chat mode greets).
        var outcome = Ps.RunAndStop($"$ready.Set(); & $example -Port {port} -Chat", stopWhen: () => Welcomed(client, port));

        AssertStoppedPromptly(outcome);
        Assert.Equal(0, Ps.Run("(Get-Socket).Count").Ok().Single);
        client.ReceiveTimeout = 10_000;
        var buffer = new byte[256];
        int total = 0, n;
        while ((n = client.Receive(buffer, total, buffer.Length - total, SocketFlags.None)) > 0)
        {
            total += n; // the welcome line; then the end of stream: the server closed the connection
        }
        Assert.StartsWith("welcome", Encoding.UTF8.GetString(buffer, 0, total));
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static bool Welcomed(Socket client, int port)
    {
        if (!client.Connected)
        {
            try
            {
                client.Connect(IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                return false; // not listening yet
            }
        }
        return client.Available > 0;
    }

    /// <summary>The shell running a script, its output read line by line as it comes.</summary>
    private sealed partial class RunningShell : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<string> _lines = new();
        private readonly StringBuilder _output = new();

        private RunningShell(Process process) => _process = process;

        public static RunningShell Start(params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = ModuleLayout.RepoRoot,
                StandardOutputEncoding = Encoding.UTF8,
            };
            start.ArgumentList.Add(ShellProcess.ShellDll);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            ShellProcess.Isolate(start);
            var shell = new RunningShell(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
            shell._process.OutputDataReceived += (_, e) => shell.Add(e.Data);
            shell._process.ErrorDataReceived += (_, e) => shell.Add(e.Data is null ? null : "stderr: " + e.Data, complete: false);
            shell._process.BeginOutputReadLine();
            shell._process.BeginErrorReadLine();
            return shell;
        }

        /// <summary>Everything printed so far, stderr lines marked.</summary>
        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>The port of the example's first line, "listening on 127.0.0.1:PORT".</summary>
        public int ListeningPort()
        {
            if (!_lines.TryTake(out var line, TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"The server never said where it listens. It printed:\n{Output}");
            }
            var match = ListeningLine().Match(line);
            return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"The server's first line was '{line}'. It printed:\n{Output}");
        }

        public int WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                throw new TimeoutException($"The server did not stop within {timeout.TotalSeconds} s. It printed:\n{Output}");
            }
            _process.WaitForExit(); // drains the redirected streams
            return _process.ExitCode;
        }

        public void Dispose() => _process.KillAndDispose();

        private void Add(string? line, bool complete = true)
        {
            if (line is null)
            {
                if (complete)
                {
                    _lines.CompleteAdding();
                }
                return;
            }
            lock (_output)
            {
                _output.AppendLine(line);
            }
            if (!line.StartsWith("stderr: ", StringComparison.Ordinal))
            {
                _lines.Add(line);
            }
        }

        [GeneratedRegex(@"^listening on 127\.0\.0\.1:(\d+)$")]
        private static partial Regex ListeningLine();
    }
}
