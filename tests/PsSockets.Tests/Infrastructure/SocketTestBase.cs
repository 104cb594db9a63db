using System;
using Xunit;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// A test class over a shared session: each test starts with no open socket, and the common
/// scenes ("a connected pair") are one call.
/// </summary>
public abstract class SocketTestBase : IClassFixture<PsSession>
{
    /// <summary>$l listens on 127.0.0.1, $c is a client connected to it, $s the server side of $c.</summary>
    public const string ConnectedPair = """
        $l = Start-SocketListener -Port 0
        $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
        $s = Wait-SocketConnection -Listener $l -Timeout 5
        """;

    /// <summary>$port: a listener ($full) whose backlog is full and which never accepts: the next connect hangs (SYN dropped).</summary>
    public const string FullBacklog = """
        $full = Start-SocketListener -Port 0 -Backlog 1
        $port = $full.LocalEndPoint.Port
        $fillers = for ($i = 0; $i -lt 8; $i++) {
            $f = Connect-Socket 127.0.0.1 $port -Timeout 0.3 -ErrorAction SilentlyContinue -ErrorVariable hung
            if ($hung) { break }
            $f
        }
        """;

    protected SocketTestBase(PsSession ps)
    {
        Ps = ps;
        ps.Run("Get-Socket | Close-Socket; $Error.Clear()").Ok();
    }

    protected PsSession Ps { get; }

    /// <summary>Runs <see cref="ConnectedPair"/>, then <paramref name="script"/>.</summary>
    protected ScriptResult WithPair(string script, params object?[] args) => Ps.Run(ConnectedPair + "\n" + script, args);

    protected static void AssertError(ScriptResult result, string errorId, System.Management.Automation.ErrorCategory category, string commandClass)
    {
        var error = result.OnlyError;
        Assert.Equal($"{errorId},PsSockets.Commands.{commandClass}", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.NotNull(error.TargetObject);
    }

    /// <summary>The script was stopped, as Ctrl+C stops it, and the stop took effect within a second.</summary>
    protected static void AssertStoppedPromptly(StopOutcome outcome)
    {
        Assert.Equal(System.Management.Automation.PSInvocationState.Stopped, outcome.State);
        Assert.InRange(outcome.StopTook, TimeSpan.Zero, Seconds(1));
    }

    /// <summary>How many file descriptors this process holds: a leaked socket shows here.</summary>
    protected static int OpenDescriptors() => System.IO.Directory.GetFiles("/proc/self/fd").Length;

    protected static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);
}
