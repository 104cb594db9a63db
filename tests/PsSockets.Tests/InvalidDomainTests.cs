using System;
using System.IO;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Names under .invalid (RFC 6761) are answered "no such host" without asking any DNS server: the tests use
/// them for HostNotFound and must send nothing off the machine. Shown in a network namespace with no route
/// to the configured server, where a name that is asked fails differently ("temporarily unavailable").
/// </summary>
public sealed class InvalidDomainTests
{
    [Fact]
    public void ANameUnderInvalidIsNotFoundWithoutAskingTheResolverWhileOtherNamesAreAsked()
    {
        string script = Path.Combine(Path.GetTempPath(), $"pssockets-invalid-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(script, """
            foreach ($name in 'nosuchhost.invalid', 'NO-SUCH.Invalid.', 'pssockets-asked.example') {
                Resolve-SocketAddress $name 80 -ErrorAction SilentlyContinue -ErrorVariable e
                "$($e[0].FullyQualifiedErrorId) | $($e[0].Exception.InnerException.SocketErrorCode)"
            }
            (Connect-Socket nosuchhost.invalid 80 -ErrorAction SilentlyContinue -ErrorVariable e); $e[0].FullyQualifiedErrorId
            (Test-SocketConnection nosuchhost.invalid 80).ErrorId
            """);
        try
        {
            var run = ShellProcess.Run(["-File", script], timeout: TimeSpan.FromSeconds(60),
                launcher: ["unshare", "-n", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""]);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(
                [
                    "HostNotFound,PsSockets.Commands.ResolveSocketAddressCommand | HostNotFound",
                    "HostNotFound,PsSockets.Commands.ResolveSocketAddressCommand | HostNotFound",
                    "HostNotFound,PsSockets.Commands.ResolveSocketAddressCommand | TryAgain", // asked, and no server could be reached
                    "HostNotFound,PsSockets.Commands.ConnectSocketCommand",
                    "HostNotFound",
                ],
                run.Output.Trim().Split('\n', StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(script);
        }
    }
}
