using System;
using System.IO;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// A python3 program from tests/PsSockets.Tests/peers, run as a real peer. Peers that listen
/// print "LISTENING port" once bound, and every peer reports on stdout; the test waits on those
/// lines, never on a clock.
/// </summary>
public sealed class PythonPeer : IDisposable
{
    private readonly LineProcess _process;

    private PythonPeer(string script, string[] args) =>
        _process = new LineProcess("python3", ["-u", Path.Combine(ModuleLayout.PeersDirectory, script), .. args]);

    public int Port { get; private set; }

    /// <summary>Starts a peer that listens, and waits until it says on which port.</summary>
    public static PythonPeer Listening(string script, params string[] args)
    {
        var peer = new PythonPeer(script, args);
        var line = peer.ReadLine(TimeSpan.FromSeconds(20));
        if (!line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            peer.Dispose();
            throw new InvalidOperationException($"{script} said '{line}' instead of LISTENING. stderr: {peer.StandardError}");
        }
        peer.Port = int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        return peer;
    }

    /// <summary>Starts a peer that connects somewhere (a client).</summary>
    public static PythonPeer Start(string script, params string[] args) => new(script, args);

    /// <summary>The next line the peer printed; fails after <paramref name="timeout"/>.</summary>
    public string ReadLine(TimeSpan timeout) => _process.ReadLine(timeout);

    /// <summary>Writes a line to the peer's stdin, for peers that wait to be told when to act.</summary>
    public void WriteLine(string line) => _process.WriteLine(line);

    /// <summary>Waits for the peer to end and returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public string StandardError => _process.StandardError;

    public void Dispose() => _process.Dispose();
}
