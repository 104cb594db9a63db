using System;
using System.IO;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// A peer that vanishes without a word (a pulled cable, a crashed host): on loopback the kernel answers for
/// every peer, so the shell runs in a network namespace of its own (unshare -n, as root) whose loopback the
/// test takes down under an open connection. Only keepalive can notice; the call must end with a clear error.
/// </summary>
public sealed class VanishedPeerTests
{
    [Fact]
    public void KeepaliveNoticesAPeerThatVanishedAndTheReceiveEndsWithConnectionLost()
    {
        string peer = Path.Combine(ModuleLayout.PeersDirectory, "misbehaving_peer.py");
        string unixPath = Path.Combine(Path.GetTempPath(), $"pssockets-bystander-{Guid.NewGuid():N}.sock");
        string script = Path.Combine(Path.GetTempPath(), $"pssockets-vanish-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(script, $$"""
            $ErrorActionPreference = 'Stop'
            function Start-Program([string[]] $words) {
                $start = [Diagnostics.ProcessStartInfo]::new($words[0])
                $words[1..($words.Count - 1)] | ForEach-Object { $start.ArgumentList.Add($_) }
                $start.RedirectStandardOutput = $true; $start.RedirectStandardInput = $true
                [Diagnostics.Process]::Start($start)
            }
            # A bystander on a unix socket, which needs no network.
            $bl = Start-SocketListener -Path '{{unixPath}}'
            $bc = Connect-Socket -Path '{{unixPath}}'
            $bs = Wait-SocketConnection $bl -Timeout 5

            $peer = Start-Program python3, '-u', '{{peer}}', 'send:hello', 'stall'
            $port = [int]$peer.StandardOutput.ReadLine().Split(' ')[1]
            $c = Connect-Socket 127.0.0.1 $port -KeepAlive -Option @{ KeepAliveIdle = 1; KeepAliveInterval = 1; KeepAliveCount = 2 }
            'ACCEPTED', 'SENT 5', 'STALLED' | ForEach-Object { if ($peer.StandardOutput.ReadLine() -ne $_) { throw "the peer did not say $_" } }
            Receive-SocketData $c -Count 5 -Timeout 5

            (Start-Program ip, link, set, lo, down).WaitForExit()
            $watch = [Diagnostics.Stopwatch]::StartNew()
            try { Receive-SocketData $c -Timeout 60; 'no error' } catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category.ToString(); $_.Exception.Message }
            $watch.Elapsed.TotalSeconds -lt 30
            $c.State.ToString()
            try { Send-SocketData $c 'anyone?' -Timeout 5; 'sent' } catch { $_.FullyQualifiedErrorId }

            Send-SocketData $bc 'still here'; Receive-SocketData $bs -Count 10 -Timeout 5
            Get-Socket | Close-Socket
            $peer.Kill()
            """);
        try
        {
            var run = ShellProcess.Run(["-File", script], timeout: TimeSpan.FromSeconds(90),
                launcher: ["unshare", "-n", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""]);
            Assert.True(run.ExitCode == 0, run.ToString());
            var lines = run.Output.Trim().Split('\n', StringSplitOptions.TrimEntries);
            Assert.True(lines.Length == 8, run.ToString());
            Assert.Equal("hello", lines[0]);
            Assert.Equal("ConnectionLost,PsSockets.Commands.ReceiveSocketDataCommand", lines[1]);
            Assert.Equal("ConnectionError", lines[2]);
            Assert.Contains($"127.0.0.1:", lines[3]);
            Assert.Contains("keepalive", lines[3]);
            Assert.Equal("True", lines[4]); // keepalive ended it (about 3 s), not the 60 s limit
            Assert.Equal("Failed", lines[5]);
            Assert.Equal("ConnectionLost,PsSockets.Commands.SendSocketDataCommand", lines[6]);
            Assert.Equal("still here", lines[7]);
            Assert.False(File.Exists(unixPath));
        }
        finally
        {
            File.Delete(script);
        }
    }
}
