using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// The shell in a tmux window of its own (a private tmux server): keys typed with send-keys, and the screen as a
/// terminal renders it (capture-pane), so a test sees what a person sees: a line redrawn in place reads as one line.
/// tmux is required (.ci/run installs it); without it the test fails saying so.
/// </summary>
public sealed class TmuxShell : IDisposable
{
    private readonly string _server = $"pssockets-test-{Guid.NewGuid():N}";

    /// <param name="hostDll">The program to run: src/PsSockets.Shell by default, or pwsh's console host (<see cref="ShellProcess.ConsoleHostDll"/>).</param>
    public TmuxShell(string shellArguments, int columns = 120, int rows = 50, string? hostDll = null)
    {
        string command = $"exec dotnet '{(hostDll ?? ShellProcess.ShellDll).Replace("'", "'\\''", StringComparison.Ordinal)}' {shellArguments}";
        Tmux(["-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", $"{columns}", "-y", $"{rows}", command]);
    }

    /// <summary>Types <paramref name="text"/> literally (no key names).</summary>
    public void Type(string text) => Tmux(["send-keys", "-t", "t", "-l", text]);

    /// <summary>Presses keys by tmux's names: Enter, C-c, C-d, BSpace.</summary>
    public void Press(params string[] keys) => Tmux(["send-keys", "-t", "t", .. keys]);

    /// <summary>The screen now, rows joined where the terminal wrapped them, trailing blank rows left out.</summary>
    public string Screen() => Tmux(["capture-pane", "-p", "-J", "-t", "t"]).TrimEnd();

    /// <summary>Waits until the screen shows <paramref name="text"/> and returns the screen.</summary>
    public string WaitFor(string text, TimeSpan timeout) => WaitUntil(screen => screen.Contains(text, StringComparison.Ordinal), $"'{text}'", timeout);

    /// <summary>Waits until <paramref name="condition"/> holds for the screen (looking every 20 ms) and returns the screen.</summary>
    public string WaitUntil(Func<string, bool> condition, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string screen = Screen();
            if (condition(screen))
            {
                return screen;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not show within {timeout.TotalSeconds} s. The screen:\n{screen}");
            }
            Thread.Sleep(20); // polling the rendered screen: tmux has no event for "the pane changed"
        }
    }

    /// <summary>The last non-blank row of the screen: where the cursor's line is.</summary>
    public string LastLine()
    {
        string[] rows = Screen().Split('\n');
        return rows[^1];
    }

    public void Dispose()
    {
        try
        {
            Tmux(["kill-server"]);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private string Tmux(string[] args)
    {
        var start = new ProcessStartInfo("tmux")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ModuleLayout.RepoRoot,
        };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_server);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        ShellProcess.Isolate(start);
        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("TMUX");
        start.Environment.Remove("COLUMNS");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("tmux did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("These tests drive the shell in tmux, and tmux is not installed: apt-get install tmux (.ci/run does).", e);
        }
        using (process)
        {
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
            }
            return output;
        }
    }
}
