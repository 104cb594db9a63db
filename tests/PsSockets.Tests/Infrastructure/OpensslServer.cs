using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// Debian's `openssl s_server` on a loopback port it picks itself (it prints "ACCEPT 127.0.0.1:port"):
/// a TLS peer no one here wrote. What a client sends shows on its stdout, among s_server's own report
/// of each handshake; what the test writes to its stdin goes to the client. (-quiet would hide the port.)
/// </summary>
public sealed class OpensslServer : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private OpensslServer(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("openssl")
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
        _process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start (apt-get install openssl)");
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
    }

    public int Port { get; private set; }

    /// <summary>
    /// Starts s_server with <paramref name="certificate"/> and any further s_server options
    /// (-tls1_2, -tls1_3, -alpn h2, -Verify 1 -CAfile ca.pem, ...); returns once it accepts.
    /// </summary>
    public static OpensslServer Start(TestCertificates.Issued certificate, params string[] options)
    {
        var args = new List<string> { "s_server", "-accept", "127.0.0.1:0", "-cert", certificate.CertPem, "-key", certificate.KeyPem };
        args.AddRange(options);
        var server = new OpensslServer(args);
        while (true)
        {
            string line = server.ReadLine(TimeSpan.FromSeconds(20));
            if (line.StartsWith("ACCEPT ", StringComparison.Ordinal))
            {
                server.Port = int.Parse(line[(line.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
                return server;
            }
        }
    }

    /// <summary>The first line s_server prints from now on that <paramref name="wanted"/> accepts; fails after <paramref name="timeout"/>.</summary>
    public string WaitForLine(Func<string, bool> wanted, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = until - DateTime.UtcNow;
            string line = ReadLine(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (wanted(line))
            {
                return line;
            }
        }
    }

    /// <summary>The next line s_server printed; fails after <paramref name="timeout"/>.</summary>
    public string ReadLine(TimeSpan timeout)
    {
        if (_lines.TryTake(out var line, timeout))
        {
            return line;
        }
        throw new TimeoutException($"No line from openssl s_server within {timeout.TotalSeconds} s (exited: {_process.HasExited}). stderr: {StandardError}");
    }

    /// <summary>Sends a line to the connected client.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    public string StandardError => string.Join("\n", _stderr);

    public void Dispose() => _process.KillAndDispose();
}
