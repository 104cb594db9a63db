using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// ncat's HTTP proxy (<c>ncat -l --proxy-type http</c>), a proxy no one here wrote. Ncat 7.93 in proxy mode
/// ignores the listen address and binds every address (nmap/nmap#2614), so it is told to serve only loopback
/// clients (<c>--allow 127.0.0.1,::1</c>: any other is dropped at once); and it cannot listen on port 0, so
/// it is given a port that was free on loopback a moment ago, and another if that one is taken by then.
/// </summary>
public sealed class NcatProxy : IDisposable
{
    private readonly Process _process;

    private NcatProxy(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts the proxy, with Basic authentication when <paramref name="userColonPassword"/> is given, and waits until it listens.</summary>
    public static NcatProxy Http(string? userColonPassword = null)
    {
        string why = string.Empty;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int port = FreeLoopbackPort();
            var start = new ProcessStartInfo("ncat")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in (string[])["-v", "-l", "--proxy-type", "http", "--allow", "127.0.0.1,::1"])
            {
                start.ArgumentList.Add(a);
            }
            if (userColonPassword is not null)
            {
                start.ArgumentList.Add("--proxy-auth");
                start.ArgumentList.Add(userColonPassword);
            }
            start.ArgumentList.Add("127.0.0.1");
            start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
            var process = Process.Start(start) ?? throw new InvalidOperationException("ncat did not start (apt-get install ncat)");
            if (WaitUntilListening(process, port, out why))
            {
                return new NcatProxy(process, port);
            }
            process.KillAndDispose();
        }
        throw new InvalidOperationException($"ncat did not listen as an HTTP proxy: {why}");
    }

    public void Dispose() => _process.KillAndDispose();

    /// <summary>Ncat -v says "Listening on 0.0.0.0:PORT" once both of its listeners are bound, or exits when the port is taken.</summary>
    private static bool WaitUntilListening(Process process, int port, out string why)
    {
        var lines = new BlockingCollection<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                lines.CompleteAdding();
            }
            else if (!lines.IsAddingCompleted)
            {
                lines.Add(e.Data);
            }
        };
        process.BeginErrorReadLine();
        var said = new System.Text.StringBuilder();
        var until = DateTime.UtcNow.AddSeconds(20);
        while (lines.TryTake(out var line, until - DateTime.UtcNow > TimeSpan.Zero ? until - DateTime.UtcNow : TimeSpan.Zero))
        {
            said.AppendLine(line);
            if (line.EndsWith($"Listening on 0.0.0.0:{port}", StringComparison.Ordinal))
            {
                why = string.Empty;
                return true;
            }
        }
        why = said.Length > 0 ? said.ToString() : "no output within 20 s";
        return false;
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
