using System;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Enter-SocketSession with piped input in the hosted engine (issue 11, part 3): the input is sent, what comes back is
/// returned as lines until the peer is quiet for -Timeout or closes; no keys are read. And its refusals.
/// </summary>
public sealed class EnterSocketSessionTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void PipedLinesGoWithCrlfAndTheRepliesComeBackAsLinesWithBinaryAsAHexDumpUntilThePeerIsQuiet()
    {
        using var peer = PythonPeer.Listening("session_peer.py");

        var result = Ps.Run("""
            $s = Connect-Socket 127.0.0.1 $args[0]
            $started = [DateTime]::UtcNow
            'hi', 'there', 'BIN' | Enter-SocketSession $s -NewLine CRLF -Timeout 0.5
            ([DateTime]::UtcNow - $started).TotalSeconds
            $s.State
            """, peer.Port).Ok();

        var values = result.Values.ToList();
        Assert.Equal(new object?[]
        {
            "hello from the peer", "you said: hi", "you said: there",
            "00000000  00 01 02 ff 62 69 6e 1b                           |....bin.|", "00000008",
        }, values.Take(5));
        Assert.InRange(Convert.ToDouble(values[5], System.Globalization.CultureInfo.InvariantCulture), 0.5, 5);
        Assert.Equal("Connected", values[6]?.ToString()); // a socket handed in stays open
        Assert.Equal("GOT b'hi\\r\\n'", peer.ReadLine(Seconds(10)));
        Assert.Equal("GOT b'there\\r\\n'", peer.ReadLine(Seconds(10)));
        Assert.Equal("GOT b'BIN\\r\\n'", peer.ReadLine(Seconds(10)));
    }

    [Fact]
    public void ThePeerClosingEndsAPipedSessionAtOnceHexShowsTextAsADumpAndCloseClosesTheSocket()
    {
        using var peer = PythonPeer.Listening("session_peer.py");

        var result = Ps.Run("""
            $s = Connect-Socket 127.0.0.1 $args[0]
            $started = [DateTime]::UtcNow
            'BYE' | Enter-SocketSession $s -Timeout 30 -Hex -Close
            ([DateTime]::UtcNow - $started).TotalSeconds -lt 10
            @(Get-Socket).Count
            """, peer.Port).Ok();

        // -Hex dumps each read as it comes (how the greeting and the goodbye split into reads is the network's choice): the bytes read back whole.
        var values = result.Values.ToList();
        Assert.Equal(new object?[] { true, 0 }, values.TakeLast(2));
        var dumps = values.SkipLast(2).Cast<string>().ToList();
        Assert.All(dumps, line => Assert.Matches("^[0-9a-f]{8}( |$)", line));
        string bytes = string.Concat(dumps.Where(line => line.Length > 8).Select(line => line[10..58].Replace(" ", "", StringComparison.Ordinal)));
        Assert.Equal(Convert.ToHexString("hello from the peer\nbye\n"u8).ToLowerInvariant(), bytes);
    }

    [Fact]
    public void PipedOnAListenerItAcceptsOneClientTalksAndClosesWhatItAccepted()
    {
        int port = Convert.ToInt32(Ps.Run("$l = Start-SocketListener -Port 0; $l.LocalEndPoint.Port").Ok().Single, System.Globalization.CultureInfo.InvariantCulture);
        using var client = PythonPeer.Start("session_peer.py", "client", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("CONNECTED", client.ReadLine(Seconds(10))); // in the backlog: the session's accept finds it at once
        client.WriteLine("hello listener");

        var result = Ps.Run("""
            'to the client' | Enter-SocketSession $l -Timeout 0.5
            @(Get-Socket).Count
            """).Ok();

        Assert.Equal(new object?[] { "hello listener", 1 }, result.Values);
        Assert.Equal("to the client", client.ReadLine(Seconds(10)));
        Assert.Equal("EOF", client.ReadLine(Seconds(10)));
    }

    [Fact]
    public void PipedOnUdpEachLineIsADatagramAndEachAnswerALine()
    {
        using var peer = PythonPeer.Listening("session_peer.py", "udp");

        var result = Ps.Run("""
            $u = Connect-Socket -Datagram 127.0.0.1 $args[0]
            'one', 'two' | Enter-SocketSession $u -Timeout 0.5 -Close
            """, peer.Port).Ok();

        Assert.Equal(new object?[] { "you said: one", "you said: two" }, result.Values);
        Assert.StartsWith("GOT b'one\\n' FROM ", peer.ReadLine(Seconds(10)));
        Assert.StartsWith("GOT b'two\\n' FROM ", peer.ReadLine(Seconds(10)));
    }

    [Fact]
    public void AHostThatCannotReadKeysGetsAClearErrorAndMisuseIsRefused()
    {
        var noKeys = WithPair("Enter-SocketSession $c");
        AssertError(noKeys, "HostCannotReadKeys", ErrorCategory.NotImplemented, "EnterSocketSessionCommand");
        Assert.Contains("Pipe the lines to send instead", noKeys.OnlyError.ToString(), StringComparison.Ordinal);

        var both = Ps.Run("Enter-SocketSession $c -Close -KeepOpen");
        AssertError(both, "CloseWithKeepOpen", ErrorCategory.InvalidArgument, "EnterSocketSessionCommand");

        var nobody = Ps.Run("$n = New-Socket -Type Dgram -LocalPort 0; 'hello?' | Enter-SocketSession $n -Timeout 0.2");
        AssertError(nobody, "NotConnected", ErrorCategory.InvalidOperation, "EnterSocketSessionCommand");
        Assert.Contains("no datagram has arrived yet", nobody.OnlyError.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CtrlCStopsAPipedSessionAtOnceClosesWhatItAcceptedAndLeavesTheListener()
    {
        int port = Convert.ToInt32(Ps.Run("$l = Start-SocketListener -Port 0; $l.LocalEndPoint.Port").Ok().Single, System.Globalization.CultureInfo.InvariantCulture);
        using var client = PythonPeer.Start("session_peer.py", "client", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("CONNECTED", client.ReadLine(Seconds(10)));

        var outcome = Ps.RunAndStop("""
            $ready.Set()
            'waiting' | Enter-SocketSession $l -Timeout 60
            """, stopWhen: () => client.ReadLine(Seconds(10)) == "waiting");

        AssertStoppedPromptly(outcome);
        Assert.Equal("EOF", client.ReadLine(Seconds(10)));
        Assert.Equal(new object?[] { 1, "Listening" }, Ps.Run("@(Get-Socket).Count; $l.State").Ok().Values.Select(v => v is Enum ? v.ToString() : v));
    }
}
