using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// The pssockets shell (src/PsSockets.Shell) as its users run it: a child process given
/// -Command, -File, a script on stdin, or a terminal for its interactive prompt. Every wait has a
/// deadline; nothing waits on a clock.
/// </summary>
public sealed class ShellTests
{
    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(30);

    [Fact]
    public void CommandPrintsSocketsThroughTheFormatView()
    {
        var run = ShellProcess.Run(["-NoProfile", "-Command", "$null = Start-SocketListener -Port 0 -Name shown; Get-Socket"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Id Name Protocol Local Remote State Sent Recv", Squeeze(run.Output));
        Assert.Matches(@"\n\s+\d+ shown\s+Tcp\s+127\.0\.0\.1:\d+\s+-\s+Listening\s+0\s+0", run.Output);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public void DatagramsPrintAsATableOfSenderLengthAndText()
    {
        var run = ShellProcess.Run(["-NoProfile", "-Command",
            "$u = Start-SocketListener -Udp -Port 0; $c = Connect-Socket 127.0.0.1 $u.LocalEndPoint.Port -Udp; 'hello ✓', 'two' | Send-SocketData $c; Receive-SocketData $u -Timeout 5; Receive-SocketData $u -Timeout 5"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("From Length Text", Squeeze(run.Output));
        Assert.Matches(@"\n127\.0\.0\.1:\d+\s+9 hello ✓\s*\n127\.0\.0\.1:\d+\s+3 two", run.Output);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public void FileBindsItsArgumentsAndExitsWithItsExitCode()
    {
        string script = TempScript("""
            param([string] $Name, [switch] $Loud)
            "Name=$Name Loud=$Loud args=$($args -join '|')"
            exit 3
            """);
        try
        {
            var run = ShellProcess.Run(["-NoProfile", "-File", script, "-Name", "it's me", "-Loud", "one", "two words"]);

            Assert.True(run.ExitCode == 3, run.ToString());
            Assert.Equal("Name=it's me Loud=True args=one|two words", run.Output.Trim());
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Theory]
    [InlineData("\"fine\"", 0)]
    [InlineData("exit 7", 7)]
    [InlineData("\"before\"; throw 'boom'", 1)]
    public void CommandExitCodes(string command, int expected)
    {
        var run = ShellProcess.Run(["-NoProfile", "-NoLogo", "-c", command]);

        Assert.True(run.ExitCode == expected, run.ToString());
        if (expected == 1)
        {
            Assert.Contains("boom", run.Error);
            Assert.DoesNotContain("boom", run.Output);
        }
    }

    [Fact]
    public void CommandWhoseLastStatementFailedExitsWith1AndPrintsTheErrorReadably()
    {
        // A bound, never listening socket: connecting to its port is refused, and no one else can take it meanwhile.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)closed.LocalEndPoint!).Port;

        var run = ShellProcess.Run(["-NoProfile", "-Command", $"'first'; Connect-Socket 127.0.0.1 {port} -Timeout 5"]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("first", run.Output.Trim());
        Assert.Contains($"Connect-Socket: Cannot connect to 127.0.0.1:{port}", run.Error);
        Assert.Contains("refused", run.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void OtherStreamsGoToStderrWithPrefixesAndProgressIsHarmless()
    {
        var run = ShellProcess.Run(["-NoProfile", "-Command", """
            function Test-Streams {
                [CmdletBinding()] param()
                $PSCmdlet.WriteWarning('careful')
                $PSCmdlet.WriteVerbose('details')
                $PSCmdlet.WriteInformation('for your information', @())
                foreach ($i in 1..3) {
                    $PSCmdlet.WriteProgress([System.Management.Automation.ProgressRecord]::new(1, 'Sending', "part $i"))
                }
                'result'
            }
            Test-Streams -Verbose -InformationAction Continue
            """]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("result", run.Output.Trim());
        Assert.Contains("WARNING: careful", run.Error);
        Assert.Contains("VERBOSE: details", run.Error);
        Assert.Contains("INFO: for your information", run.Error);
        Assert.DoesNotContain("Sending", run.Error + run.Output);
    }

    [Fact]
    public void ScriptOnStdinRunsAsOneScript()
    {
        var run = ShellProcess.Run(["-NoProfile"], stdin: """
            $l = Start-SocketListener -Port 0
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $s = Wait-SocketConnection -Listener $l -Timeout 5
            Send-SocketData $c "piped`n"
            "got: " + (Receive-SocketData $s -Line -Timeout 5)
            "open: " + @(Get-Socket).Count
            Get-Socket | Close-Socket
            """);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["got: piped", "open: 3"], run.Output.Trim().Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void TheUdpEchoExampleEchoesEveryDatagramToItsSender()
    {
        var run = ShellProcess.Run(["-NoProfile", "-Command", "./examples/udp-echo.ps1 -Message one, 'two ✓', three -IdleTimeout 0.3"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("client sent 3 datagrams from 127.0.0.1:", run.Output);
        Assert.Contains("server echoed 3 datagrams", run.Output);
        Assert.Matches(@"client got 'two ✓' back from 127\.0\.0\.1:\d+", run.Output);
        Assert.DoesNotContain("MISMATCH", run.Output);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public void TheEchoExampleRunsAndSaysWhatItDid()
    {
        var run = ShellProcess.Run(["-NoProfile", "-File", Path.Combine("examples", "echo.ps1")]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("client sent 'hello'", run.Output);
        Assert.Contains("server echoed 6 bytes", run.Output);
        Assert.Contains("client received 'hello'", run.Output);
        Assert.Contains("server read the end of the stream", run.Output);
        Assert.Contains("closed every socket (0 still open)", run.Output);
        Assert.DoesNotContain("MISMATCH", run.Output);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public void TheThreadServerExampleServesMoreClientsThanItsThrottleLimit()
    {
        var run = ShellProcess.Run(["-NoProfile", "-File", Path.Combine("examples", "thread-server.ps1"), "-Clients", "5", "-ThrottleLimit", "2"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("at most 2 handlers at once", run.Output);
        Assert.Contains("client5 got its 3 lines back", run.Output);
        Assert.Contains("server: 5 accepted, 5 completed, 0 failed, 0 active", run.Output);
        Assert.Contains("server stopped", run.Output);
        Assert.DoesNotContain("MISMATCH", run.Output);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public void AServerPrintsThroughItsFormatViewAndEndsWithTheShell()
    {
        var run = ShellProcess.Run(["-NoProfile", "-Command",
            "$s = Start-SocketListener -Port 0 -Name shown -Handler { param($c) Receive-SocketData $c -Line }; $c = Connect-Socket 127.0.0.1 $s.LocalEndPoint.Port; while ($s.Active -eq 0) { }; Get-SocketServer"]);

        // The handler still waits for its line when the script ends: the session's end stops it, and the shell exits.
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Id Name Local State Active Accepted Failed", Squeeze(run.Output));
        Assert.Matches(@"\n\s+\d+ shown\s+127\.0\.0\.1:\d+\s+Running\s+1\s+1\s+0", run.Output);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public void HelpDocumentsTheExitCodes()
    {
        var run = ShellProcess.Run(["-Help"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("-Command", run.Output);
        Assert.Contains("-NoProfile", run.Output);
        Assert.Contains("Exit codes", run.Output);
        Assert.Equal(64, ShellProcess.Run(["-NoSuchOption"]).ExitCode);
    }

    [Fact]
    public void InteractivePromptCountsSocketsAndCtrlCStopsOnlyTheCommand()
    {
        using var shell = new PtyShell("-NoProfile");
        shell.Expect("PsSockets [0] ", s_step);

        shell.Send("$l = Start-SocketListener -Port 0 -Name waiting; Get-Socket\r");
        string table = shell.Expect("PsSockets [1] ", s_step);
        Assert.Contains("Id Name Protocol Local Remote State", Squeeze(table));
        Assert.Matches(@"waiting\s+Tcp\s+127\.0\.0\.1:\d+\s+-\s+Listening", table);

        // The marker is printed by the running pipeline, so once it shows, Ctrl+C has a command to stop.
        shell.Send("'accept' + 'ing'; Wait-SocketConnection $l\r");
        shell.Expect("accepting\r\n", s_step);
        shell.Send("\u0003");
        shell.Expect("PsSockets [1] ", s_step);

        shell.Send("'still ' + 'alive'\r");
        shell.Expect("still alive", s_step);
        shell.Expect("PsSockets [1] ", s_step);

        // Ctrl+C at the prompt drops the line being typed and gives a new prompt.
        shell.Send("Get-Socket | Close-Socket");
        shell.Send("\u0003");
        shell.Expect("^C", s_step);
        shell.Expect("PsSockets [1] ", s_step);

        shell.Send("Get-Socket | Close-Socket\r");
        shell.Expect("PsSockets [0] ", s_step);

        shell.Send("exit\r");
        Assert.Equal(0, shell.WaitForExit(s_step));
    }

    [Fact]
    public void InteractivePromptCompletesWithTabAndRecallsHistory()
    {
        using var shell = new PtyShell("-NoProfile");
        shell.Expect("PsSockets [0] ", s_step);

        // Tab completes a command name, then a parameter name (CommandCompletion.CompleteInput, as pwsh does).
        shell.Send("Protect-Sock\t");
        shell.Expect("Protect-Socket", s_step);
        shell.Send("\u0003");
        shell.Expect("PsSockets [0] ", s_step);
        shell.Send("$l = Start-SocketListener -Port 0; Get-Socket -Sta\t");
        shell.Expect("-State", s_step);
        shell.Send(" Listening | ForEach-Object { 'found ' + $_.State }\r");
        shell.Expect("found Listening", s_step);
        shell.Expect("PsSockets [1] ", s_step);

        // Up arrow brings the last line back; Enter runs it again.
        shell.Send("'hist' + 'ory'\r");
        shell.Expect("history", s_step);
        shell.Expect("PsSockets [1] ", s_step);
        shell.Send("\u001b[A");
        shell.Expect("'hist' + 'ory'", s_step);
        shell.Send("\r");
        shell.Expect("history", s_step);
        shell.Expect("PsSockets [1] ", s_step);

        shell.Send("exit\r");
        Assert.Equal(0, shell.WaitForExit(s_step));
    }

    [Fact]
    public void InteractivePromptShowsProgressOnItsLine()
    {
        using var shell = new PtyShell("-NoProfile");
        shell.Expect("PsSockets [0] ", s_step);

        // The texts are put together when the command runs, so that the echo of the typed line cannot match them.
        shell.Send("function Test-Progress { [CmdletBinding()] param() $PSCmdlet.WriteProgress([System.Management.Automation.ProgressRecord]::new(1, 'Cop' + 'ying', 'part ' + '1 of 2')); 'done ' + 'copying' }; Test-Progress\r");
        shell.Expect("Copying", s_step);
        shell.Expect("part 1 of 2", s_step);
        shell.Expect("done copying", s_step);
        shell.Expect("PsSockets [0] ", s_step);

        shell.Send("exit\r");
        Assert.Equal(0, shell.WaitForExit(s_step));
    }

    /// <summary>Collapses runs of spaces, so that a table header compares whatever the column widths.</summary>
    private static string Squeeze(string text) => Regex.Replace(text, "[ \t]+", " ");

    private static string TempScript(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"pssockets-shell-test-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(path, text);
        return path;
    }
}
