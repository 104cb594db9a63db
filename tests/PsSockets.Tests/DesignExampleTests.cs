using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>The example in design.md ("What must read naturally") runs as written.</summary>
public sealed class DesignExampleTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void TheDesignExampleRunsVerbatim()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0                       # loopback, ephemeral port
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $s = Wait-SocketConnection -Listener $l -Timeout 5
            Send-SocketData $c "hello"
            Receive-SocketData $s -Count 5                          # hello
            "one`n", "two`n" | Send-SocketData $c
            Receive-SocketData $s -Line                             # one
            Disconnect-Socket $c -Direction Send                    # I'm done sending, still listening
            Receive-SocketData $s -ToEnd                            # two`n  (then the peer's EOF)
            Get-Socket | Close-Socket
            """).Ok();

        Assert.Equal(new object?[] { "hello", "one", "two\n" }, result.Values);
        Assert.Empty(Ps.Run("Get-Socket").Ok().Output);
    }
}
