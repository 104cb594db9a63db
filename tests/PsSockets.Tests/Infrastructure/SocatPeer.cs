using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace PsSockets.Tests.Infrastructure;

/// <summary>socat, a peer no one here wrote: a server on a unix path, or a client run to its end.</summary>
public sealed class SocatPeer : IDisposable
{
    private readonly Process _process;

    private SocatPeer(Process process) => _process = process;

    /// <summary>Starts socat serving on <paramref name="path"/> (its address text uses it) and waits until the socket file is there.</summary>
    public static SocatPeer ListeningOn(string path, params string[] args)
    {
        var peer = new SocatPeer(Start(args));
        if (!SpinWait.SpinUntil(() => IsListening(path) || peer._process.HasExited, TimeSpan.FromSeconds(20)) || peer._process.HasExited)
        {
            string why = peer._process.HasExited ? peer._process.StandardError.ReadToEnd() : "no socket file after 20 s";
            peer.Dispose();
            throw new InvalidOperationException($"socat did not listen on {path}: {why}");
        }
        return peer;
    }

    /// <summary>
    /// The socket file exists from bind(), a moment before listen(): a connect in between is refused, and looks like a
    /// stale file. /proc/net/unix shows the listen (the __SO_ACCEPTCON flag, 00010000) without connecting.
    /// </summary>
    private static bool IsListening(string path) =>
        File.ReadLines("/proc/net/unix").Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields.Length >= 8 && fields[7] == path && fields[3] == "00010000");

    /// <summary>Runs socat as a client: <paramref name="input"/> on its stdin (then EOF), its stdout when it ends.</summary>
    public static string Run(string input, TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            throw new TimeoutException($"socat {string.Join(' ', args)} did not end within {timeout.TotalSeconds} s.");
        }
        return process.ExitCode == 0 ? output.Result
            : throw new InvalidOperationException($"socat exited with {process.ExitCode}: {process.StandardError.ReadToEnd()}");
    }

    public void Dispose() => _process.KillAndDispose();

    private static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("socat")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("socat did not start (apt-get install socat)");
    }
}
