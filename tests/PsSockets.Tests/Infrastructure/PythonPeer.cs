using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// A python3 program from tests/PsSockets.Tests/peers, run as a real peer. Peers that listen
/// print "LISTENING port" once bound, and every peer reports on stdout; the test waits on those
/// lines, never on a clock.
/// </summary>
public sealed class PythonPeer : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly StringWriterLog _stderr = new();

    private PythonPeer(string script, string[] args)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(Path.Combine(ModuleLayout.PeersDirectory, script));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
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
        _process.ErrorDataReceived += (_, e) => _stderr.Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; private set; }

    /// <summary>Starts a peer that listens, and waits until it says on which port.</summary>
    public static PythonPeer Listening(string script, params string[] args)
    {
        var peer = new PythonPeer(script, args);
        var line = peer.ReadLine(TimeSpan.FromSeconds(20));
        if (!line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            peer.Dispose();
            throw new InvalidOperationException($"{script} said '{line}' instead of LISTENING. stderr: {peer._stderr}");
        }
        peer.Port = int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        return peer;
    }

    /// <summary>Starts a peer that connects somewhere (a client).</summary>
    public static PythonPeer Start(string script, params string[] args) => new(script, args);

    /// <summary>The next line the peer printed; fails after <paramref name="timeout"/>.</summary>
    public string ReadLine(TimeSpan timeout)
    {
        if (_lines.TryTake(out var line, timeout))
        {
            return line;
        }
        throw new TimeoutException($"No line from the python peer within {timeout.TotalSeconds} s (exited: {_process.HasExited}). stderr: {_stderr}");
    }

    /// <summary>Writes a line to the peer's stdin, for peers that wait to be told when to act.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the peer to end and returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"The python peer did not exit within {timeout.TotalSeconds} s. stderr: {_stderr}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public string StandardError => _stderr.ToString();

    public void Dispose() => _process.KillAndDispose();

    private sealed class StringWriterLog
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
            }
        }

        public override string ToString() => string.Join("\n", _lines);
    }
}
