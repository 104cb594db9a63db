using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Each failure is an ErrorRecord with its own id and category, naming the endpoint; none crashes the host.</summary>
public sealed class ErrorTests(PsSession ps) : SocketTestBase(ps)
{
    private const string ClosedPort = "$gone = Start-SocketListener -Port 0; $closedPort = $gone.LocalEndPoint.Port; Close-Socket $gone\n";

    [Fact]
    public void ConnectionRefused()
    {
        var result = Ps.Run(ClosedPort + "Connect-Socket 127.0.0.1 $closedPort");
        AssertError(result, "ConnectionRefused", ErrorCategory.ConnectionError, "ConnectSocketCommand");
        var port = Ps.Run("$closedPort").Ok().Single;
        Assert.Contains($"127.0.0.1:{port}", result.OnlyError.ToString());
        Assert.Contains("refused", result.OnlyError.ToString(), System.StringComparison.OrdinalIgnoreCase);
        Assert.IsType<System.Net.Sockets.SocketException>(result.OnlyError.Exception.InnerException);
    }

    [Fact]
    public void ConnectionRefusedOnEveryAddressOfANameListsEachAttempt()
    {
        var result = Ps.Run(ClosedPort + "Connect-Socket localhost $closedPort -ErrorAction Stop");
        var error = Assert.IsAssignableFrom<IContainsErrorRecord>(result.Exception).ErrorRecord;
        Assert.Equal("ConnectionRefused,PsSockets.Commands.ConnectSocketCommand", error.FullyQualifiedErrorId);
        Assert.Contains("localhost:", error.ToString());
    }

    [Fact]
    public void NetworkUnreachable()
    {
        // An IPv6-only socket cannot reach an IPv4-mapped address: the kernel answers ENETUNREACH
        // at once, with no packet leaving loopback.
        var result = Ps.Run("""
            $v6 = New-Socket -AddressFamily InterNetworkV6
            $v6.Socket.DualMode = $false
            $v6 | Connect-Socket '::ffff:127.0.0.1' 9
            """);
        AssertError(result, "NetworkUnreachable", ErrorCategory.ConnectionError, "ConnectSocketCommand");
        Assert.Contains("[::ffff:127.0.0.1]:9", result.OnlyError.ToString());
    }

    [Fact]
    public void UnknownHost()
    {
        var result = Ps.Run("Connect-Socket nosuchhost.invalid 80 -Timeout 10");
        AssertError(result, "HostNotFound", ErrorCategory.ObjectNotFound, "ConnectSocketCommand");
        Assert.Contains("nosuchhost.invalid", result.OnlyError.ToString());
        Assert.Equal("nosuchhost.invalid", result.OnlyError.TargetObject);
    }

    [Fact]
    public void ResetByPeer()
    {
        var result = WithPair("""
            Close-Socket $s -Abort
            Receive-SocketData $c -Timeout 5
            """);
        AssertError(result, "ConnectionReset", ErrorCategory.ConnectionError, "ReceiveSocketDataCommand");
        Assert.Contains("127.0.0.1:", result.OnlyError.ToString());
    }

    [Fact]
    public void SendAfterResetFailsClearly()
    {
        var result = WithPair("""
            Close-Socket $s -Abort
            $null = Receive-SocketData $c -Timeout 5 -ErrorAction SilentlyContinue
            Send-SocketData $c "anyone?" -Timeout 5
            """);
        var error = result.OnlyError;
        Assert.Matches("^(ConnectionReset|ConnectionAborted|SocketShutdown|Unknown),PsSockets.Commands.SendSocketDataCommand$", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
    }

    [Fact]
    public void AddressInUse()
    {
        var result = Ps.Run("""
            $first = Start-SocketListener -Port 0
            Start-SocketListener -Port $first.LocalEndPoint.Port
            """);
        AssertError(result, "AddressInUse", ErrorCategory.ResourceBusy, "StartSocketListenerCommand");
        Assert.Contains("127.0.0.1:", result.OnlyError.ToString());
        Assert.Single(Ps.Run("Get-Socket").Ok().Output);
    }

    [Fact]
    public void BindingNewSocketToATakenPortIsAddressInUse()
    {
        var result = Ps.Run("""
            $first = Start-SocketListener -Port 0
            New-Socket -LocalPort $first.LocalEndPoint.Port
            """);
        AssertError(result, "AddressInUse", ErrorCategory.ResourceBusy, "NewSocketCommand");
        Assert.Contains("bind to 127.0.0.1:", result.OnlyError.ToString());
        Assert.Single(Ps.Run("Get-Socket").Ok().Output);
    }

    [Fact]
    public void ShutdownOfAListenerIsNotConnected()
    {
        var result = Ps.Run("$l = Start-SocketListener -Port 0; Disconnect-Socket $l -Direction Send");
        AssertError(result, "NotConnected", ErrorCategory.InvalidOperation, "DisconnectSocketCommand");
    }

    [Theory]
    [InlineData("Send-SocketData $c 'x'", "SendSocketDataCommand")]
    [InlineData("Receive-SocketData $c -Timeout 1", "ReceiveSocketDataCommand")]
    [InlineData("Disconnect-Socket $c", "DisconnectSocketCommand")]
    [InlineData("Wait-SocketConnection $l -Timeout 1", "WaitSocketConnectionCommand")]
    public void UseAfterClose(string use, string command)
    {
        var result = WithPair("Close-Socket $c, $l\n" + use);
        AssertError(result, "SocketClosed", ErrorCategory.InvalidOperation, command);
        Assert.Contains("closed", result.OnlyError.ToString());
    }

    [Theory]
    [InlineData("Connect-Socket 127.0.0.1 70000", "ConnectSocketCommand")]
    [InlineData("Connect-Socket 127.0.0.1 0", "ConnectSocketCommand")]
    [InlineData("Connect-Socket 127.0.0.1 -1", "ConnectSocketCommand")]
    [InlineData("Start-SocketListener -Port 65536", "StartSocketListenerCommand")]
    [InlineData("New-Socket -LocalPort -5", "NewSocketCommand")]
    [InlineData("Receive-SocketData 1 -Timeout -1", "ReceiveSocketDataCommand")]
    public void OutOfRangeArgumentsAreCaughtAtBinding(string script, string command)
    {
        var result = Ps.Run(script);
        var error = result.Exception is IContainsErrorRecord c ? c.ErrorRecord : result.OnlyError;
        Assert.Equal($"ParameterArgumentValidationError,PsSockets.Commands.{command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
    }

    [Fact]
    public void AcceptOnAConnectedSocketIsNotListening()
    {
        var result = WithPair("Wait-SocketConnection $c -Timeout 1");
        AssertError(result, "NotListening", ErrorCategory.InvalidOperation, "WaitSocketConnectionCommand");
    }

    [Fact]
    public void ReceiveOnAListenerOrSendOnAnUnconnectedSocketIsNotConnected()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            Receive-SocketData $l -Timeout 1
            Send-SocketData (New-Socket) 'x'
            """);
        Assert.Equal(new[] { "NotConnected,PsSockets.Commands.ReceiveSocketDataCommand", "NotConnected,PsSockets.Commands.SendSocketDataCommand" },
            result.Errors.Select(e => e.FullyQualifiedErrorId));
        Assert.All(result.Errors, e => Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category));
    }

    [Fact]
    public void SendAfterShutdownOfSendingIsRefusedWithoutTouchingTheWire()
    {
        var result = WithPair("Disconnect-Socket $c -Direction Send\nSend-SocketData $c 'late'");
        AssertError(result, "SocketShutdown", ErrorCategory.InvalidOperation, "SendSocketDataCommand");
    }

    [Fact]
    public void ErrorsStopAScriptUnderErrorActionStopWithTheirId()
    {
        var result = Ps.Run(ClosedPort + """
            try { Connect-Socket 127.0.0.1 $closedPort -ErrorAction Stop; 'not reached' }
            catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category.ToString(); $_.TargetObject.GetType().Name }
            """).Ok();
        Assert.Equal(new object?[] { "ConnectionRefused,PsSockets.Commands.ConnectSocketCommand", "ConnectionError", "IPEndPoint" }, result.Values);
    }
}
