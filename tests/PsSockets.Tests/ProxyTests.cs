using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Connect-Socket -Proxy against ncat's HTTP proxy and a SOCKS5 proxy in python3 (peers/socks5_proxy.py), on
/// loopback: data both ways through the tunnel, the target's first bytes kept, names sent for the proxy to
/// resolve, IPv6 targets, credentials, and every way it fails.
/// </summary>
public sealed class ProxyTests(PsSession ps) : SocketTestBase(ps)
{
    private const string Command = "ConnectSocketCommand";
    private const string Greeting = "hello from the target";

    // A credential from plain text, without ConvertTo-SecureString (not in the hosted engine).
    private const string AliceCredential = "$cred = [pscredential]::new('alice', [Net.NetworkCredential]::new('', 's3cret').SecurePassword)";

    [Fact]
    public void HttpProxyTunnelsBothWaysAndKeepsWhatTheTargetSaidFirst()
    {
        using var target = PythonPeer.Listening("echo_server.py", "4", "1", Greeting);
        using var proxy = NcatProxy.Http();
        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Proxy "http://127.0.0.1:$($args[1])" -Timeout 10
            Receive-SocketData $c -Line -Timeout 10
            Send-SocketData $c "ping`n"
            Receive-SocketData $c -Line -Timeout 10
            "$c".EndsWith(" -> 127.0.0.1:$($args[0]) via http proxy 127.0.0.1:$($args[1]))")
            "$($c.Proxy)"; "$($c.ProxyTarget)"; $c.BytesSent; $c.BytesReceived
            [PsSockets.PsSocket]::FormatEndPoint($c.RemoteEndPoint)
            Close-Socket $c
            """, target.Port, proxy.Port).Ok();
        Assert.Equal(
            [Greeting, "ping", true, $"http://127.0.0.1:{proxy.Port}", $"127.0.0.1:{target.Port}", 5L, Greeting.Length + 1L + 5L, $"127.0.0.1:{proxy.Port}"],
            result.Values);
        Assert.Equal("CLIENT DONE", target.ReadLine(Seconds(10)));
    }

    [Fact]
    public void Socks5SendsANameForTheProxyToResolveAndKeepsTheBytesThatCameWithItsReply()
    {
        using var target = PythonPeer.Listening("echo_server.py", "4", "1", Greeting);
        using var proxy = PythonPeer.Listening("socks5_proxy.py", "none", "--hold-reply"); // the reply and the greeting leave in one write
        var result = Ps.Run("""
            $c = Connect-Socket localhost $args[0] -Proxy "socks5://127.0.0.1:$($args[1])" -Timeout 10
            $c.BytesBuffered
            Receive-SocketData $c -Line -Timeout 10
            Send-SocketData $c "ping`n"
            Receive-SocketData $c -Line -Timeout 10
            "$c".EndsWith(" -> localhost:$($args[0]) via socks5 proxy 127.0.0.1:$($args[1]))")
            Close-Socket $c
            """, target.Port, proxy.Port).Ok();
        Assert.Equal([Greeting.Length + 1, Greeting, "ping", true], result.Values);
        Assert.Equal("METHODS 00", proxy.ReadLine(Seconds(10)));
        Assert.Equal($"TARGET domain localhost {target.Port}", proxy.ReadLine(Seconds(10)));
        Assert.Equal("REPLY 0", proxy.ReadLine(Seconds(10)));
    }

    [Fact]
    public void AnIPv6TargetGoesAsAnAddressThroughBothKindsOfProxy()
    {
        using var target = PythonPeer.Listening("echo_server.py", "6", "2", Greeting);
        using var socks = PythonPeer.Listening("socks5_proxy.py", "none");
        using var http = NcatProxy.Http();
        var result = Ps.Run("""
            foreach ($proxy in "socks5://127.0.0.1:$($args[1])", "http://127.0.0.1:$($args[2])") {
                $c = Connect-Socket "[::1]:$($args[0])" -Proxy $proxy -Timeout 10
                Receive-SocketData $c -Line -Timeout 10
                "$($c.ProxyTarget)"
                Close-Socket $c
            }
            """, target.Port, socks.Port, http.Port).Ok();
        Assert.Equal([Greeting, $"[::1]:{target.Port}", Greeting, $"[::1]:{target.Port}"], result.Values);
        Assert.Equal("METHODS 00", socks.ReadLine(Seconds(10)));
        Assert.Equal($"TARGET ipv6 ::1 {target.Port}", socks.ReadLine(Seconds(10)));
    }

    [Fact]
    public void CredentialsWorkFromTheAddressOrFromProxyCredentialAndThePasswordNeverShows()
    {
        using var target = PythonPeer.Listening("echo_server.py", "4", "4", Greeting);
        using var socks = PythonPeer.Listening("socks5_proxy.py", "userpass", "alice", "s3cret");
        using var http = NcatProxy.Http("alice:s3cret");
        var result = Ps.Run(AliceCredential + """

            $shown = foreach ($proxy in "socks5://127.0.0.1:$($args[1])", "http://127.0.0.1:$($args[2])") {
                $inAddress = Connect-Socket 127.0.0.1 $args[0] -Proxy ($proxy -replace '//', '//alice:s3cret@') -Timeout 10
                $out = Connect-Socket 127.0.0.1 $args[0] -Proxy $proxy -ProxyCredential $cred -Timeout 10 -Verbose 4>&1
                $given = $out | Where-Object { $_ -is [PsSockets.PsSocket] }
                foreach ($c in $inAddress, $given) {
                    Receive-SocketData $c -Line -Timeout 10
                    "$c"; "$($c.Proxy)"; $c.Proxy.psobject.Properties | ForEach-Object { "$($_.Value)" }
                }
                $out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
                Close-Socket $inAddress, $given
            }
            $shown | Where-Object { $_ -ne $args[3] }
            ($shown -join "`n").Contains('s3cret')
            """, target.Port, socks.Port, http.Port, Greeting).Ok();
        var shown = result.Values.ToList();
        Assert.Equal(false, shown[^1]);
        Assert.Equal(2, shown.Count(v => Equals(v, $"socks5://alice@127.0.0.1:{socks.Port}")));
        Assert.Equal(2, shown.Count(v => Equals(v, $"http://alice@127.0.0.1:{http.Port}")));
        Assert.Contains(shown, v => v is string s && s.StartsWith($"connect(#", StringComparison.Ordinal) && s.Contains($", 127.0.0.1:{http.Port}) ok in ", StringComparison.Ordinal));
        Assert.Contains(shown, v => v is string s && s.StartsWith($"HTTP CONNECT 127.0.0.1:{target.Port} through #", StringComparison.Ordinal) && s.Contains(" ok in ", StringComparison.Ordinal));
        Assert.Contains(shown, v => v is string s && s.StartsWith($"SOCKS5 CONNECT 127.0.0.1:{target.Port} through #", StringComparison.Ordinal));
        Assert.Equal(["METHODS 00 02", "AUTH alice ok"], [socks.ReadLine(Seconds(10)), socks.ReadLine(Seconds(10))]);
    }

    [Fact]
    public void WrongOrMissingCredentialsAreProxyAuthenticationFailedAndCloseTheSocket()
    {
        using var socks = PythonPeer.Listening("socks5_proxy.py", "userpass", "alice", "s3cret");
        using var http = NcatProxy.Http("alice:s3cret");
        var result = Ps.Run("""
            foreach ($proxy in "socks5://127.0.0.1:$($args[0])", "http://127.0.0.1:$($args[1])") {
                Connect-Socket 127.0.0.1 9 -Proxy $proxy -Timeout 10
                Connect-Socket 127.0.0.1 9 -Proxy ($proxy -replace '//', '//alice:wrong-secret@') -Timeout 10
            }
            (Get-Socket).Count
            """, socks.Port, http.Port);
        Assert.Equal([0], result.Values);
        Assert.Equal(4, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal($"ProxyAuthenticationFailed,PsSockets.Commands.{Command}", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.DoesNotContain("wrong-secret", e.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("wrong-secret", e.TargetObject.ToString(), StringComparison.Ordinal);
        });
        Assert.Equal($"Cannot connect to 127.0.0.1:9 via socks5 proxy 127.0.0.1:{socks.Port}: it accepts no connection without authentication; give a user name and password (-ProxyCredential, or socks5://user:password@host:port).", result.Errors[0].ToString());
        Assert.Equal($"Cannot connect to 127.0.0.1:9 via socks5 proxy 127.0.0.1:{socks.Port}: it rejected the user name and password of 'alice' (status 1).", result.Errors[1].ToString());
        Assert.Contains("it asks for credentials (HTTP/1.0 407 Proxy Authentication Required)", result.Errors[2].ToString(), StringComparison.Ordinal);
        Assert.Contains("it rejected the user name and password of 'alice' (HTTP/1.0 407 Proxy Authentication Required)", result.Errors[3].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ATargetPortClosedBehindTheProxyIsRefusedOrAProxyFailureAsEachProxySaysIt()
    {
        using var socks = PythonPeer.Listening("socks5_proxy.py", "none");
        using var http = NcatProxy.Http();
        var result = Ps.Run("""
            $closed = Start-SocketListener -Port 0; $port = $closed.LocalEndPoint.Port; Close-Socket $closed
            Connect-Socket 127.0.0.1 $port -Proxy "socks5://127.0.0.1:$($args[0])" -Timeout 10
            Connect-Socket 127.0.0.1 $port -Proxy "http://127.0.0.1:$($args[1])" -Timeout 10
            $port
            (Get-Socket).Count
            """, socks.Port, http.Port);
        int port = Convert.ToInt32(result.Values.First(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, result.Values.Last());
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal($"ConnectionRefused,PsSockets.Commands.{Command}", result.Errors[0].FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, result.Errors[0].CategoryInfo.Category);
        Assert.Equal($"Cannot connect to 127.0.0.1:{port} via socks5 proxy 127.0.0.1:{socks.Port}: the proxy answered connection refused (SOCKS5 reply 5).", result.Errors[0].ToString());
        Assert.Equal($"127.0.0.1:{port} via socks5://127.0.0.1:{socks.Port}", result.Errors[0].TargetObject);
        // ncat answers 504 for a target that refuses, is unreachable or has no address alike.
        Assert.Equal($"ProxyFailed,PsSockets.Commands.{Command}", result.Errors[1].FullyQualifiedErrorId);
        Assert.StartsWith($"Cannot connect to 127.0.0.1:{port} via http proxy 127.0.0.1:{http.Port}: the proxy could not connect to it (HTTP/1.0 504 Gateway Timeout;", result.Errors[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AProxyThatIsNotListeningIsConnectionRefusedNamingTheProxy()
    {
        var result = Ps.Run("""
            $closed = Start-SocketListener -Port 0; $port = $closed.LocalEndPoint.Port; Close-Socket $closed
            Connect-Socket localhost 80 -Proxy "socks5://127.0.0.1:$port" -Timeout 10
            $port
            """);
        int port = (int)result.Single!;
        AssertError(result, "ConnectionRefused", ErrorCategory.ConnectionError, Command);
        Assert.Equal($"Cannot connect to localhost:80 via socks5 proxy 127.0.0.1:{port}: the proxy cannot be reached. Cannot connect to 127.0.0.1:{port}: Connection refused.", result.OnlyError.ToString());
        Assert.Equal($"127.0.0.1:{port}", result.OnlyError.TargetObject.ToString());
    }

    [Fact]
    public void AProxyThatSaysNothingTimesOutWithinTheOneTimeLimit()
    {
        using var silent = PythonPeer.Listening("socks5_proxy.py", "silent");
        foreach (var (scheme, waitingFor) in new[] { ("socks5", "its answer to the SOCKS5 greeting"), ("http", "its answer to CONNECT localhost:80") })
        {
            var watch = Stopwatch.StartNew();
            var result = Ps.Run($"Connect-Socket localhost 80 -Proxy '{scheme}://127.0.0.1:{silent.Port}' -Timeout 0.5; (Get-Socket).Count");
            watch.Stop();
            Assert.Equal(0, result.Single);
            AssertError(result, "OperationTimeout", ErrorCategory.OperationTimeout, Command);
            Assert.Equal($"Cannot connect to localhost:80 via {scheme} proxy 127.0.0.1:{silent.Port}: timed out after 0.5 s waiting for {waitingFor}.", result.OnlyError.ToString());
            Assert.InRange(watch.Elapsed, Seconds(0.45), Seconds(5));
        }
    }

    [Fact]
    public void AProxyThatSpeaksSomethingElseIsAProtocolError()
    {
        using var ssh = PythonPeer.Listening("echo_server.py", "4", "2", "SSH-2.0-OpenSSH_9.2p1"); // speaks first, then echoes
        var result = Ps.Run("""
            Connect-Socket localhost 22 -Proxy "socks5://127.0.0.1:$($args[0])" -Timeout 10
            Connect-Socket localhost 22 -Proxy "http://127.0.0.1:$($args[0])" -Timeout 10
            """, ssh.Port);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.Equal($"ProxyProtocolError,PsSockets.Commands.{Command}", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ProtocolError, e.CategoryInfo.Category);
        });
        Assert.EndsWith("its answer to the greeting starts 0x53 0x53 ('SS'), not a SOCKS5 reply.", result.Errors[0].ToString(), StringComparison.Ordinal);
        Assert.EndsWith("its answer to CONNECT localhost:22 is not HTTP: it starts 'SSH-2.0-OpenSSH_9.2p1'.", result.Errors[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ContradictoryParametersStopBeforeAnythingIsConnected()
    {
        var result = Ps.Run(AliceCredential + """

            $s = New-Socket
            $misuse = @(
                { Connect-Socket 127.0.0.1 9 -Proxy socks5://127.0.0.1:1 -Datagram }
                { Connect-Socket 127.0.0.1 9 -Proxy socks5://127.0.0.1:1 -Socket $s }
                { Connect-Socket 127.0.0.1 9 -Proxy socks5://bob:hunter2@127.0.0.1:1 -ProxyCredential $cred }
                { Connect-Socket -Path /tmp/x.sock -Proxy socks5://127.0.0.1:1 }
                { Connect-Socket unix:/tmp/x.sock -Proxy socks5://127.0.0.1:1 }
                { Connect-Socket 127.0.0.1 9 -Proxy ftp://bob:hunter2@127.0.0.1:1 }
                { Connect-Socket 127.0.0.1 9 -Proxy 127.0.0.1:1080 }
            )
            foreach ($call in $misuse) {
                try { & $call -ErrorAction Stop; 'connected?' } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }
            }
            $s.State.ToString(); (Get-Socket).Count
            """).Ok();
        var said = result.Values.Cast<object>().Select(v => v.ToString()!).ToList();
        Assert.Equal(16, said.Count);
        Assert.Equal(["ProxyMisuse", "ProxyMisuse", "ProxyMisuse", "AmbiguousParameterSet", "ProxyMisuse", "ParameterArgumentValidationError", "ParameterArgumentValidationError"],
            said.Take(14).Where((_, i) => i % 2 == 0).Select(id => id.Split(',')[0]));
        Assert.StartsWith("-Proxy tunnels a TCP connection to a host and port", said[1], StringComparison.Ordinal);
        Assert.StartsWith("-Proxy makes a new socket", said[3], StringComparison.Ordinal);
        Assert.StartsWith("The proxy's credentials are given twice", said[5], StringComparison.Ordinal);
        Assert.StartsWith("-Proxy tunnels a TCP connection to a host and port", said[9], StringComparison.Ordinal);
        Assert.Contains("'ftp://bob:***@127.0.0.1:1': the scheme 'ftp' is not supported", said[11], StringComparison.Ordinal);
        Assert.Contains("it has no scheme; write socks5://host:port or http://host:port", said[13], StringComparison.Ordinal);
        Assert.DoesNotContain(said, s => s.Contains("hunter2", StringComparison.Ordinal));
        Assert.Equal(["Open", "1"], said[14..]);
    }
}

/// <summary>Ctrl+C during a negotiation with a proxy that never answers: stopped at once, no descriptor left.</summary>
[Collection(SerialCollection.Name)]
public sealed class ProxyStopTests(PsSession ps) : SocketTestBase(ps)
{
    [Theory]
    [InlineData("socks5")]
    [InlineData("http")]
    public void StopEndsTheNegotiationWithinASecondAndClosesTheSocket(string scheme)
    {
        using var silent = PythonPeer.Listening("socks5_proxy.py", "silent");
        int before = OpenDescriptors();
        var outcome = Ps.RunAndStop($"$ready.Set(); Connect-Socket localhost 80 -Proxy '{scheme}://127.0.0.1:{silent.Port}'",
            stopWhen: () => silent.ReadLine(Seconds(30)) == "ACCEPTED"); // the proxy has the connection: the negotiation waits
        AssertStoppedPromptly(outcome);
        Assert.Empty(Ps.Run("Get-Socket").Ok().Output);
        Assert.InRange(OpenDescriptors(), 0, before + 2);
    }
}
