using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;

namespace PsSockets.Tests.Infrastructure;

/// <summary>A child process whose stdout the test reads line by line (waiting on lines, never on a clock), with its stdin open.</summary>
public sealed class LineProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    public LineProcess(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
            }
            else
            {
                _lines.Add(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Name = program;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public string StandardError => string.Join("\n", _stderr);

    /// <summary>The next line the process printed; fails after <paramref name="timeout"/>.</summary>
    public string ReadLine(TimeSpan timeout)
    {
        if (_lines.TryTake(out var line, timeout))
        {
            return line;
        }
        throw new TimeoutException($"No line from {Name} within {timeout.TotalSeconds} s (exited: {_process.HasExited}). stderr: {StandardError}");
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds} s. stderr: {StandardError}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose() => _process.KillAndDispose();
}
