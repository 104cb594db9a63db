using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PsSockets.Tests.Infrastructure;

namespace PsSockets.Tests;

/// <summary>What one run of the shell printed and how it exited.</summary>
public sealed record ShellRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>
/// The built shell (src/PsSockets.Shell/bin/&lt;configuration&gt;/net10.0/PsSockets.Shell.dll, which
/// the test project builds first through a ProjectReference) run as a child process with `dotnet`.
/// </summary>
public static class ShellProcess
{
    public static string ShellDll { get; } = FindShell();

    /// <summary>Runs the shell to its end with stdout/stderr captured and <paramref name="stdin"/> (or nothing) as input.</summary>
    /// <param name="launcher">A program and its arguments that run the shell's command line (e.g. unshare -n ... in a network namespace of its own).</param>
    public static ShellRun Run(IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null, IReadOnlyList<string>? launcher = null)
    {
        var start = new ProcessStartInfo(launcher?[0] ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ModuleLayout.RepoRoot,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var word in launcher?.Skip(1).Append("dotnet") ?? [])
        {
            start.ArgumentList.Add(word);
        }
        start.ArgumentList.Add(ShellDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Isolate(start);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }
        process.StandardInput.Close();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            throw new TimeoutException($"The shell did not exit within {limit.TotalSeconds} s.\n--- stdout ---\n{Completed(output)}\n--- stderr ---\n{Completed(error)}");
        }
        process.WaitForExit(); // drains the redirected streams
        return new ShellRun(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The shell must not read the user's profile or take a module from the environment.</summary>
    internal static void Isolate(ProcessStartInfo start)
    {
        start.Environment.Remove("PSSOCKETS_MODULE");
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "pssockets-tests-no-config");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
    }

    private static string Completed(Task<string> read) => read.IsCompletedSuccessfully ? read.Result : "(still reading)";

    /// <summary>pwsh's own console host, in-process (tests/PsSockets.ConsoleHost): pwsh without PSReadLine.</summary>
    public static string ConsoleHostDll { get; } = FindBuilt(Path.Combine("tests", "PsSockets.ConsoleHost"), "PsSockets.ConsoleHost.dll");

    private static string FindShell() => FindBuilt(Path.Combine("src", "PsSockets.Shell"), "PsSockets.Shell.dll");

    private static string FindBuilt(string project, string file)
    {
        // The tests run from tests/PsSockets.Tests/bin/<configuration>/<tfm>/; the other programs are built the same way.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        string tfm = testOutput.Name;
        string configuration = testOutput.Parent?.Name ?? "Debug";
        string dll = Path.Combine(ModuleLayout.RepoRoot, project, "bin", configuration, tfm, file);
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"{file} is not built at {dll}; the test project's ProjectReference should have built it.", dll);
    }
}

/// <summary>
/// The shell on a pseudo-terminal, through util-linux `script`, so that it runs its interactive
/// prompt: keys go in as bytes (\r for Enter, \x03 for Ctrl+C, which the terminal turns into
/// SIGINT while a command runs), and <see cref="Expect"/> reads the output until a text appears,
/// with a deadline, never a fixed sleep.
/// </summary>
public sealed partial class PtyShell : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _screen = new();
    private readonly object _gate = new();
    private readonly Thread _reader;
    private int _consumed;
    private bool _ended;

    public PtyShell(string shellArguments, int columns = 160)
    {
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ModuleLayout.RepoRoot,
        };
        // -q quiet, -f flush at once, -e exit with the child's code, -c the command; no typescript file.
        start.ArgumentList.Add("-qfec");
        start.ArgumentList.Add($"exec dotnet '{ShellProcess.ShellDll.Replace("'", "'\\''", StringComparison.Ordinal)}' {shellArguments}");
        start.ArgumentList.Add("/dev/null");
        ShellProcess.Isolate(start);
        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = columns.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _process = Process.Start(start) ?? throw new InvalidOperationException("script did not start");
        _reader = new Thread(ReadAll) { IsBackground = true, Name = "pty reader" };
        _reader.Start();
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything the terminal showed so far, without colour and cursor escapes.</summary>
    public string Screen
    {
        get
        {
            lock (_gate)
            {
                return StripEscapes(_screen.ToString());
            }
        }
    }

    /// <summary>Types text (use \r for Enter).</summary>
    public void Send(string keys)
    {
        _process.StandardInput.Write(keys);
        _process.StandardInput.Flush();
    }

    /// <summary>
    /// Waits until <paramref name="text"/> appears in the output after what earlier Expects
    /// consumed, and returns that output (escapes stripped) up to and including the text.
    /// </summary>
    public string Expect(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (true)
            {
                string screen = StripEscapes(_screen.ToString());
                int at = screen.IndexOf(text, Math.Min(_consumed, screen.Length), StringComparison.Ordinal);
                if (at >= 0)
                {
                    string chunk = screen[Math.Min(_consumed, screen.Length)..(at + text.Length)];
                    _consumed = at + text.Length;
                    return chunk;
                }
                var left = deadline - DateTime.UtcNow;
                if (_ended || left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"'{text}' did not appear within {timeout.TotalSeconds} s (shell ended: {_ended}). The terminal showed:\n{screen}");
                }
                Monitor.Wait(_gate, left);
            }
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"The interactive shell did not exit within {timeout.TotalSeconds} s. The terminal showed:\n{Screen}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose() => _process.KillAndDispose();

    private void ReadAll()
    {
        var stream = _process.StandardOutput.BaseStream;
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[4096];
        var chars = new char[4096];
        try
        {
            int n;
            while ((n = stream.Read(bytes, 0, bytes.Length)) > 0)
            {
                int count = decoder.GetChars(bytes, 0, n, chars, 0);
                lock (_gate)
                {
                    _screen.Append(chars, 0, count);
                    Monitor.PulseAll(_gate);
                }
            }
        }
        catch (IOException)
        {
            // the process went away
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>CSI sequences (colours, cursor moves, clear-line), OSC titles and keypad-mode switches.</summary>
    [GeneratedRegex(@"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[=>]")]
    private static partial Regex Escapes();

    private static string StripEscapes(string text) => Escapes().Replace(text, string.Empty);
}
