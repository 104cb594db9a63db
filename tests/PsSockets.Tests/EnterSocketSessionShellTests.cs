using System;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Enter-SocketSession as a person uses it (issue 11): the shell in a tmux window, keys typed, the rendered screen
/// read back; python3 peers on loopback that reply, send binary, push while the user types, and close.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class EnterSocketSessionShellTests
{
    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(20);

    [Fact]
    public void TypedLinesGoWithCrlfRepliesShowBinaryIsAHexDumpAPushNeverManglesTheHalfTypedLineAndThePeerClosingEndsIt()
    {
        using var peer = PythonPeer.Listening("session_peer.py");
        using var shell = new TmuxShell("-NoProfile");
        shell.WaitFor("PsSockets [0] ", s_step);

        shell.Type($"$s = Connect-Socket 127.0.0.1 {peer.Port}; Enter-SocketSession $s -NewLine CRLF");
        shell.Press("Enter");
        shell.WaitFor("hello from the peer", s_step);
        AssertLastLine(shell, "> ");

        shell.Type("hi");
        shell.Press("Enter");
        Assert.Equal("GOT b'hi\\r\\n'", peer.ReadLine(s_step));
        shell.WaitFor("you said: hi", s_step);

        shell.Type("BIN");
        shell.Press("Enter");
        Assert.Equal("GOT b'BIN\\r\\n'", peer.ReadLine(s_step));
        string dump = shell.WaitFor("00000008", s_step);
        Assert.Contains("00000000  00 01 02 ff 62 69 6e 1b                           |....bin.|", dump);

        // Half-way through a line, the peer pushes a message: it shows above, and the line being typed is whole below it.
        shell.Type("half typ");
        shell.WaitUntil(screen => screen.EndsWith("> half typ", StringComparison.Ordinal), "the half-typed line", s_step);
        peer.WriteLine("push a message pushed while you type");
        Assert.Equal("PUSHED", peer.ReadLine(s_step));
        shell.WaitFor("a message pushed while you type", s_step);
        shell.WaitUntil(screen => screen.Split('\n')[^2..] is ["a message pushed while you type", "> half typ"], "the message above the half-typed line, intact", s_step);
        shell.Type("ed, then finished");
        shell.Press("BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace");
        shell.Type("done");
        shell.Press("Enter");
        Assert.Equal("GOT b'half typed, then done\\r\\n'", peer.ReadLine(s_step));
        shell.WaitFor("you said: half typed, then done", s_step);

        shell.Type("BYE");
        shell.Press("Enter");
        Assert.Equal("GOT b'BYE\\r\\n'", peer.ReadLine(s_step));
        // A socket handed in is the user's: the session leaves it open (its peer gone) for Get-Socket and Close-Socket.
        string end = WaitForPrompt(shell, sockets: 1);
        Assert.Contains("bye\nThe peer closed the connection.\nSession on #1 ended (the peer closed the connection): sent 37 bytes, received 109 bytes in ", end, StringComparison.Ordinal);
        shell.Type("exit");
        shell.Press("Enter");
    }

    [Fact]
    public void TheBooksChatServerHasItsWholeDialogueThroughTheSessionAndEndsAtFin()
    {
        using var peer = PythonPeer.Listening("chat_server.py");
        using var shell = new TmuxShell("-NoProfile");
        shell.WaitFor("PsSockets [0] ", s_step);

        shell.Type($"Enter-SocketSession (Connect-Socket 127.0.0.1 {peer.Port}) -Close");
        shell.Press("Enter");
        // The server's messages end with no newline: each stays on the input line, before the session's prompt.
        AssertLastLine(shell, "Vous êtes connecté au serveur Marcel. Envoyez vos messages.> ");
        Assert.StartsWith("Serveur prêt", peer.ReadLine(s_step));
        Assert.StartsWith("Client connecté, adresse IP 127.0.0.1", peer.ReadLine(s_step));

        shell.Type("Bonjour Marcel");
        shell.Press("Enter");
        Assert.Equal("C> Bonjour Marcel", peer.ReadLine(s_step));
        peer.WriteLine("Bonjour, comment vas-tu ?");
        AssertLastLine(shell, "Bonjour, comment vas-tu ?> ");

        shell.Type("Très bien, merci");
        shell.Press("Enter");
        Assert.Equal("S> C> Très bien, merci", peer.ReadLine(s_step)); // input("S> ") wrote its prompt with no newline
        peer.WriteLine("Alors au revoir");
        AssertLastLine(shell, "Alors au revoir> ");

        shell.Type("FIN");
        shell.Press("Enter");
        Assert.Equal("S> C> FIN", peer.ReadLine(s_step));
        Assert.Equal("Connexion interrompue.", peer.ReadLine(s_step));
        string end = WaitForPrompt(shell, sockets: 0);
        Assert.Contains("""
            Alors au revoir> FIN
            fin
            The peer closed the connection.
            Session on #1 ended (the peer closed the connection): sent 37 bytes, received 104 bytes in
            """.ReplaceLineEndings("\n"), end, StringComparison.Ordinal);
        Assert.Equal(0, peer.WaitForExit(s_step));
    }

    [Fact]
    public void OnAListenerItTalksToOneClientCtrlCLeavesAtOnceAndUdpShowsEachSenderAndAnswersTheLast()
    {
        using var udpPeer = PythonPeer.Listening("session_peer.py", "udp");
        using var shell = new TmuxShell("-NoProfile");
        shell.WaitFor("PsSockets [0] ", s_step);

        // ncat -l turned around: the session waits for one client, then talks to it.
        shell.Type("$l = Start-SocketListener -Port 0; $l | Enter-SocketSession");
        shell.Press("Enter");
        var waiting = Regex.Match(shell.WaitFor("(Ctrl+C stops)...", s_step), @"Waiting for a client on 127\.0\.0\.1:(\d+)");
        Assert.True(waiting.Success);
        using (var client = PythonPeer.Start("session_peer.py", "client", waiting.Groups[1].Value))
        {
            Assert.Equal("CONNECTED", client.ReadLine(s_step));
            client.WriteLine("from the client");
            shell.WaitFor("\nfrom the client\n", s_step);
            shell.Type("to the client");
            shell.Press("Enter");
            Assert.Equal("to the client", client.ReadLine(s_step));

            // Ctrl+C half-way through a line: the prompt is back at once, the accepted socket closed (the client sees the end).
            shell.Type("never sent");
            AssertLastLine(shell, "> never sent");
            var clock = Stopwatch.StartNew();
            shell.Press("C-c");
            string stopped = WaitForPrompt(shell, sockets: 1);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the prompt came back {clock.Elapsed.TotalMilliseconds:F0} ms after Ctrl+C");
            Assert.Contains("> never sent^C\nSession on #2 ended (Ctrl+C): sent 14 bytes, received 16 bytes in ", stopped, StringComparison.Ordinal);
            Assert.Equal("EOF", client.ReadLine(s_step));
        }

        // A connected UDP socket: each line one datagram, each datagram shown with its sender; Ctrl+D leaves, the socket stays.
        shell.Type($"$u = Connect-Socket -Datagram 127.0.0.1 {udpPeer.Port}; Enter-SocketSession $u");
        shell.Press("Enter");
        AssertLastLine(shell, "> ");
        shell.Type("hello udp");
        shell.Press("Enter");
        Assert.StartsWith("GOT b'hello udp\\n' FROM ", udpPeer.ReadLine(s_step));
        shell.WaitFor($"[127.0.0.1:{udpPeer.Port}] you said: hello udp", s_step);
        shell.Press("C-d");
        string left = WaitForPrompt(shell, sockets: 2);
        Assert.Contains("Session on #3 ended (Ctrl+D): sent 10 bytes in 1 datagram, received 20 bytes in 1 datagram in ", left, StringComparison.Ordinal);

        // An unconnected one answers the last sender; before any, sending is refused with a clear message and the session goes on.
        shell.Type("$n = New-Socket -Type Dgram -LocalPort 0; $n.LocalEndPoint.Port; Enter-SocketSession $n -Close");
        shell.Press("Enter");
        int port = int.Parse(Regex.Match(shell.WaitFor("each line answers the last sender", s_step), @"\n(\d+)\n").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        shell.Type("too early");
        shell.Press("Enter");
        shell.WaitFor("! Nothing was sent: ", s_step);
        using (var client = new LineProcess("ncat", ["-u", "127.0.0.1", $"{port}"]))
        {
            client.WriteLine("dgram one");
            shell.WaitFor("] dgram one", s_step);
            shell.Type("the answer");
            shell.Press("Enter");
            Assert.Equal("the answer", client.ReadLine(s_step));
        }
        shell.Press("C-c");
        string closed = WaitForPrompt(shell, sockets: 2);
        Assert.Contains("(Ctrl+C): sent 11 bytes in 1 datagram, received 10 bytes in 1 datagram", closed, StringComparison.Ordinal);

        shell.Type("Get-Socket | Close-Socket");
        shell.Press("Enter");
        WaitForPrompt(shell, sockets: 0);
    }

    [Fact]
    public void InPwshsOwnConsoleHostASessionReadsKeysRedrawsTheHalfTypedLineAndCtrlCEndsIt()
    {
        // pwsh's ConsoleHost in-process (tests/PsSockets.ConsoleHost): its RawUI.ReadKey and its Ctrl+C, not our shell's.
        using var peer = PythonPeer.Listening("session_peer.py");
        string module = System.IO.Path.Combine(ModuleLayout.RepoRoot, "out", "PsSockets");
        using var shell = new TmuxShell($"-NoProfile -NoExit -Command \"Import-Module '{module}'; 'ready'\"", hostDll: ShellProcess.ConsoleHostDll);
        shell.WaitUntil(screen => screen.EndsWith(">", StringComparison.Ordinal) && screen.Contains("ready", StringComparison.Ordinal), "pwsh's prompt", s_step);

        shell.Type($"$s = Connect-Socket 127.0.0.1 {peer.Port}; Enter-SocketSession $s");
        shell.Press("Enter");
        shell.WaitFor("hello from the peer", s_step);
        shell.Type("hi");
        shell.Press("Enter");
        Assert.Equal("GOT b'hi\\n'", peer.ReadLine(s_step));
        shell.WaitFor("you said: hi", s_step);

        shell.Type("half typ");
        shell.WaitUntil(screen => screen.EndsWith("> half typ", StringComparison.Ordinal), "the half-typed line", s_step);
        peer.WriteLine("push pushed while typing in pwsh");
        Assert.Equal("PUSHED", peer.ReadLine(s_step));
        shell.WaitUntil(screen => screen.Split('\n')[^2..] is ["pushed while typing in pwsh", "> half typ"], "the message above the half-typed line, intact", s_step);

        var clock = Stopwatch.StartNew();
        shell.Press("C-c");
        string stopped = shell.WaitUntil(screen => Regex.IsMatch(screen, @"Session on #\d+ ended \(Ctrl\+C\): sent 3 bytes, received \d+ bytes in [^\n]*\n(.*\n)?PS [^\n]*>$", RegexOptions.Singleline), "the summary, then pwsh's prompt", s_step);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the prompt came back {clock.Elapsed.TotalMilliseconds:F0} ms after Ctrl+C");
        shell.Type("\"open: $((Get-Socket).Count)\"; Close-Socket $s");
        shell.Press("Enter");
        shell.WaitFor("open: 1", s_step); // the socket handed in was kept
        shell.Type("exit");
        shell.Press("Enter");
    }

    private static string WaitForPrompt(TmuxShell shell, int sockets) =>
        shell.WaitUntil(screen => screen.Split('\n')[^1].StartsWith($"PsSockets [{sockets}] ", StringComparison.Ordinal), $"the prompt with {sockets} sockets", s_step);

    private static void AssertLastLine(TmuxShell shell, string expected) =>
        shell.WaitUntil(screen => screen.Split('\n')[^1] == expected.TrimEnd(), $"the last line '{expected}'", s_step);
}
