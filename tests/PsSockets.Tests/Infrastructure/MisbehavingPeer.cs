using System;
using System.Linq;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// peers/misbehaving_peer.py: a real peer that stalls, resets, drips or truncates when its script says so.
/// Steps and the line each prints are in the script's docstring; a test waits on those lines.
/// </summary>
public sealed class MisbehavingPeer : IDisposable
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(30);
    private readonly PythonPeer _peer;

    private MisbehavingPeer(PythonPeer peer) => _peer = peer;

    public int Port => _peer.Port;

    /// <summary>Listens on 127.0.0.1 (options such as "--ipv6", "--rcvbuf", "4096" go before the steps), accepts one client, then runs the steps.</summary>
    public static MisbehavingPeer Listening(params string[] optionsAndSteps) =>
        new(PythonPeer.Listening("misbehaving_peer.py", optionsAndSteps));

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> and runs the steps once connected.</summary>
    public static MisbehavingPeer Connecting(int port, params string[] optionsAndSteps)
    {
        var peer = new MisbehavingPeer(PythonPeer.Start("misbehaving_peer.py", ["--connect", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. optionsAndSteps]));
        peer.Expect("CONNECTED");
        return peer;
    }

    /// <summary>Waits for the peer's next line, which must start with <paramref name="word"/>; returns its words after that.</summary>
    public string[] Expect(string word)
    {
        var line = _peer.ReadLine(LineTimeout);
        var words = line.Split(' ');
        if (words[0] != word)
        {
            throw new InvalidOperationException($"The misbehaving peer said '{line}', not {word}. stderr: {_peer.StandardError}");
        }
        return words.Skip(1).ToArray();
    }

    /// <summary>Ends a <c>stall</c> step.</summary>
    public void Resume() => _peer.WriteLine("go");

    public void Dispose() => _peer.Dispose();
}
