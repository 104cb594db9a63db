using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Unix socket files (issue 9, part 4): created with the permissions the process's umask leaves, as bind(2) makes
/// them (seen by stat(1) from a shell started under each umask), and gone when the socket is: Close-Socket,
/// Stop-SocketServer, Stop-SocketRelay (the session's end and Remove-Module: SessionEndCleanupTests). A file left
/// by a process that died is refused with StaleSocketFile and replaced only with -Force, and only when it is a
/// socket nobody listens on (UnixSocketTests: a python3 listener that exits without unlinking, a file that is not
/// a socket, a live listener); here the dead process is a PsSockets shell killed with SIGKILL.
/// </summary>
public sealed class UnixSocketFileTests : SocketTestBase, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"pssockets-file-{Guid.NewGuid():N}.sock");

    public UnixSocketFileTests(PsSession ps)
        : base(ps)
    {
    }

    public void Dispose()
    {
        File.Delete(_path);
        File.Delete(_path + ".dgram");
    }

    [Theory]
    [InlineData("077", "700")]
    [InlineData("027", "750")]
    [InlineData("022", "755")]
    [InlineData("002", "775")]
    public void TheSocketFilesTakeTheProcesssUmaskAndGoWhenTheSocketsClose(string umask, string mode)
    {
        string listener = _path, datagram = _path + ".dgram";
        var run = UnderUmask(umask, $"""
            $l = Start-SocketListener -Path '{listener}'
            $d = New-Socket -Type Dgram -Path '{datagram}'
            stat -c '%a %F' '{listener}' '{datagram}'
            Close-Socket $l, $d
            [IO.File]::Exists('{listener}'); [IO.File]::Exists('{datagram}')
            """);

        Assert.Equal([$"{mode} socket", $"{mode} socket", "False", "False"], run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void StoppingAServerOrARelayOnAPathRemovesItsFile()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Path $args[0] -Handler { param($c) Send-SocketData $c 'hi' }
            $c = Connect-Socket -Path $args[0] -Timeout 5
            Receive-SocketData $c -ToEnd -Timeout 5
            Stop-SocketServer $srv
            [IO.File]::Exists($args[0])
            $t = Start-SocketListener -Port 0
            $r = Start-SocketRelay "unix:$($args[0])" "127.0.0.1:$($t.LocalEndPoint.Port)"
            [IO.File]::Exists($args[0])
            Stop-SocketRelay $r
            [IO.File]::Exists($args[0])
            """, _path).Ok();

        Assert.Equal(new object?[] { "hi", false, true, false }, result.Values);
    }

    [Fact]
    public void AFileLeftByAKilledShellIsRefusedUntilForceReplacesIt()
    {
        using (var shell = new LineProcess("dotnet", [ShellProcess.ShellDll, "-NoProfile", "-Command",
            $"$l = Start-SocketListener -Path '{_path}'; 'LISTENING'; Wait-SocketConnection $l"]))
        {
            Assert.Equal("LISTENING", shell.ReadLine(TimeSpan.FromSeconds(30)));
        } // killed (SIGKILL): nothing closes the socket, the file stays
        Assert.True(File.Exists(_path));

        var refused = Ps.Run("Start-SocketListener -Path $args[0]", _path);
        AssertError(refused, "StaleSocketFile", ErrorCategory.ResourceExists, "StartSocketListenerCommand");
        Assert.Contains("a socket file with no socket behind it is there", refused.OnlyError.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(_path));

        var replaced = Ps.Run("""
            $l = Start-SocketListener -Path $args[0] -Force
            $c = Connect-Socket -Path $args[0] -Timeout 5
            (Wait-SocketConnection $l -Timeout 5).State
            Get-Socket | Close-Socket
            [IO.File]::Exists($args[0])
            """, _path).Ok();
        Assert.Equal(new object?[] { "Connected", false }, replaced.Values.Select(v => v is Enum ? v.ToString() : v));
    }

    /// <summary>Runs the shell under <c>sh -c 'umask ...; exec dotnet ...'</c>, so the umask is the process's own from its start.</summary>
    private static ShellRun UnderUmask(string umask, string script)
    {
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-c", $"umask {umask}; exec dotnet \"$0\" -NoProfile -Command \"$1\"", ShellProcess.ShellDll, script })
        {
            start.ArgumentList.Add(argument);
        }
        ShellProcess.Isolate(start);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "The shell did not end.");
        process.WaitForExit();
        var run = new ShellRun(process.ExitCode, output.Result, error.Result);
        Assert.True(run.ExitCode == 0 && run.Error.Length == 0, run.ToString());
        return run;
    }
}
