using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Ctrl+C (PowerShell.Stop()) during Test-SocketConnection: a long -Wait and hundreds of connects that hang both
/// stop within a second, and every socket the checks opened is closed by the time the stop returns.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class TestSocketConnectionStopTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void StopEndsALongWaitPromptlyAndLeavesNoSocket()
    {
        using var closed = ReservedPorts.Take(1);
        // One check first: the runtime's socket engine opens its own descriptors on first use, which are not leaks.
        Ps.Run("$l = Start-SocketListener -Port 0; $null = Test-SocketConnection 127.0.0.1 $l.LocalEndPoint.Port").Ok();
        Ps.Set("closedPort", closed.Ports[0]);
        int before = OpenDescriptors();

        // The first result (the listener's port) comes while the second pair is still being waited for.
        var outcome = Ps.RunAndStop("Test-SocketConnection 127.0.0.1 $l.LocalEndPoint.Port, $closedPort -Wait -Timeout 60 | ForEach-Object { $ready.Set(); $_.Success }");

        AssertStoppedPromptly(outcome);
        Assert.Equal(true, Assert.Single(outcome.Output).BaseObject);
        Assert.InRange(OpenDescriptors(), 0, before + 2);
    }

    [Fact]
    public void StopEndsHundredsOfHangingConnectsPromptlyAndClosesThemAll()
    {
        using var closed = ReservedPorts.Take(1);
        Ps.Run(FullBacklog).Ok();
        Ps.Set("closedPort", closed.Ports[0]);
        int before = OpenDescriptors();

        var outcome = Ps.RunAndStop(
            "$ready.Set(); Test-SocketConnection 127.0.0.1 (@($closedPort) + @($port) * 200) -Timeout 60 -ThrottleLimit 200",
            stopWhen: () => OpenDescriptors() >= before + 150); // the connects are under way (the stop does not wait for a first result: under load that can take long)

        AssertStoppedPromptly(outcome);
        Assert.InRange(OpenDescriptors(), 0, before + 2);
        Ps.Run("Get-Socket | Close-Socket").Ok();
    }
}
