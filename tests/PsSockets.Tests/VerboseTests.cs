using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>The exported cmdlets a test of <see cref="VerboseTests"/> covers, normal path and error path.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class VerboseOfAttribute(params string[] cmdlets) : Attribute
{
    public string[] Cmdlets { get; } = cmdlets;
}

/// <summary>
/// -Verbose explains (issue 10, part 1): each cmdlet names the socket calls it made as the seeds write them, with results,
/// errno names and timings (<c>connect(#3, 127.0.0.1:8080) ok in 0.4 ms</c>), on its normal path and when it fails, before
/// the error; payload bytes only ever show with -Debug.
/// </summary>
public sealed class VerboseTests : SocketTestBase
{
    private const string Took = @"\d+\.\d m?s";
    private const string Id = @"#(\d+)";

    // Cmdlets of issue 10's other parts; their authors give them their verbose lines.
    private static readonly string[] s_othersOwn = [];

    public VerboseTests(PsSession ps)
        : base(ps) => Ps.Run("$VerbosePreference = $DebugPreference = 'SilentlyContinue'").Ok();

    [Fact]
    public void EveryExportedCmdletHasAVerboseCase()
    {
        var exported = Ps.Run("(Get-Command -Module PsSockets).Name").Ok().Values.Cast<string>().ToList();
        var covered = typeof(VerboseTests).GetMethods().SelectMany(m => m.GetCustomAttribute<VerboseOfAttribute>()?.Cmdlets ?? []).ToHashSet();

        Assert.Contains("Connect-Socket", exported);
        Assert.Equal([], exported.Where(name => !covered.Contains(name) && !s_othersOwn.Contains(name)).ToArray());
        Assert.Equal([], covered.Where(name => !exported.Contains(name)).ToArray()); // no case for a cmdlet that is not there
    }

    [Fact]
    [VerboseOf("New-Socket")]
    public void NewSocketTellsSocketSetsockoptAndBindAndAFailedBindWithItsErrno()
    {
        var made = Ps.Run("$n = New-Socket -ReuseAddress -LocalPort 0 -Verbose; Close-Socket $n").Ok();
        var failed = Ps.Run("""
            $l = Start-SocketListener -Port 0
            try { New-Socket -LocalPort $l.LocalEndPoint.Port -Verbose } finally { Close-Socket $l }
            """);

        AssertLines(made.Verbose,
            $@"socket\(AF_INET, SOCK_STREAM\) -> {Id}",
            @"setsockopt\(#\1, SOL_SOCKET, SO_REUSEADDR, 1\)",
            @"bind\(#\1, 127\.0\.0\.1:0\) -> 127\.0\.0\.1:\d+");
        AssertErrorId(failed, "AddressInUse", "NewSocketCommand");
        AssertLines(failed.Verbose,
            @"socket\(AF_INET, SOCK_STREAM\) -> the new socket",
            $@"bind\(the new socket, 127\.0\.0\.1:\d+\) failed: EADDRINUSE in {Took}",
            @"close\(the new socket\)");
    }

    [Fact]
    [VerboseOf("Connect-Socket")]
    public void ConnectSocketTellsTheLookupEachAttemptAndItsEnd()
    {
        using var peer = PythonPeer.Listening("echo_server.py", "4", "1");
        var connected = Ps.Run("$c = Connect-Socket localhost $args[0] -NoDelay -Timeout 5 -Verbose; Close-Socket $c", peer.Port).Ok();
        var refused = Ps.Run("""
            $l = Start-SocketListener -Port 0; $port = $l.LocalEndPoint.Port; Close-Socket $l
            Connect-Socket 127.0.0.1 $port -Timeout 5 -Verbose
            """);
        var unknown = Ps.Run("Connect-Socket nothing-here.invalid 80 -Timeout 5 -Verbose");
        var timedOut = Ps.Run(FullBacklog + """

            try { Connect-Socket 127.0.0.1 $port -Timeout 0.3 -Verbose } finally { Close-Socket $full; $fillers | Close-Socket }
            """);

        AssertLines(connected.Verbose,
            $@"getaddrinfo\(""localhost"", {peer.Port}\) -> 127\.0\.0\.1:{peer.Port} in {Took}",
            $@"socket\(AF_INET, SOCK_STREAM\) -> {Id}",
            @"setsockopt\(#\1, IPPROTO_TCP, TCP_NODELAY, 1\)",
            $@"connect\(#\1, 127\.0\.0\.1:{peer.Port}\) ok in {Took}");
        AssertErrorId(refused, "ConnectionRefused", "ConnectSocketCommand");
        AssertLines(refused.Verbose,
            @"socket\(AF_INET, SOCK_STREAM\) -> attempt 1",
            $@"connect\(attempt 1, 127\.0\.0\.1:\d+\) failed: ECONNREFUSED in {Took}",
            @"close\(attempt 1\)");
        AssertErrorId(unknown, "HostNotFound", "ConnectSocketCommand");
        AssertLines(unknown.Verbose, $@"getaddrinfo\(""nothing-here\.invalid"", 80\) failed: EAI_NONAME in {Took}");
        Assert.Equal("OperationTimeout", timedOut.Errors[^1].FullyQualifiedErrorId.Split(',')[0]);
        AssertLines(timedOut.Verbose.TakeLast(3).ToList(),
            @"socket\(AF_INET, SOCK_STREAM\) -> attempt 1",
            $@"connect\(attempt 1, 127\.0\.0\.1:\d+\) timed out after {Took}",
            @"close\(attempt 1\)");
    }

    [Fact]
    [VerboseOf("Connect-Socket")]
    public void ConnectSocketNamesAnExistingSocketByItsIdAndAnIpv6AttemptByItsNumber()
    {
        using var peer = PythonPeer.Listening("echo_server.py", "4", "1"); // IPv4 only: [::1] refuses
        var result = Ps.Run("""
            $c = Connect-Socket -Socket (New-Socket) 127.0.0.1 $args[0] -Timeout 5 -Verbose; Close-Socket $c
            Connect-Socket ::1 $args[0] -Timeout 5 -Verbose
            """, peer.Port);

        AssertErrorId(result, "ConnectionRefused", "ConnectSocketCommand");
        AssertLines(result.Verbose,
            $@"connect\(#\d+, 127\.0\.0\.1:{peer.Port}\) ok in {Took}",
            @"socket\(AF_INET6, SOCK_STREAM\) -> attempt 1",
            $@"connect\(attempt 1, \[::1\]:{peer.Port}\) failed: ECONNREFUSED in {Took}",
            @"close\(attempt 1\)");
    }

    [Fact]
    [VerboseOf("Connect-Socket", "Start-SocketListener", "Wait-SocketConnection", "Close-Socket")]
    public void UnixSocketsTellTheirPaths()
    {
        string path = $"/tmp/pssockets-verbose-{Guid.NewGuid():N}.sock";
        var result = Ps.Run("""
            $l = Start-SocketListener -Path $args[0] -Verbose
            $c = Connect-Socket -Path $args[0] -Timeout 5 -Verbose
            $s = Wait-SocketConnection $l -Timeout 5 -Verbose
            Close-Socket $c, $s, $l -Verbose
            Connect-Socket -Path $args[0] -Timeout 5 -Verbose
            """, path);

        AssertErrorId(result, "AddressNotAvailable", "ConnectSocketCommand");
        var lines = result.Verbose.Where(v => !v.StartsWith("Performing", StringComparison.Ordinal)).ToList();
        AssertLines(lines,
            $@"socket\(AF_UNIX, SOCK_STREAM\) -> {Id}",
            $@"bind\(#\1, unix:{path}\)",
            @"listen\(#\1, 128\)",
            $@"socket\(AF_UNIX, SOCK_STREAM\) -> #(\d+)",
            $@"connect\(#\2, unix:{path}\) ok in {Took}",
            $@"accept\(#\1\) -> #(\d+) from unix:\(unnamed\) in {Took}",
            @"close\(#\2\)", @"close\(#\3\)", @"close\(#\1\)",
            @"socket\(AF_UNIX, SOCK_STREAM\) -> the new socket",
            $@"connect\(the new socket, unix:{path}\) failed: ENOENT in {Took}|connect\(the new socket, unix:{path}\) failed: \w+ in {Took}",
            @"close\(the new socket\)");
    }

    [Fact]
    [VerboseOf("Start-SocketListener", "Wait-SocketConnection")]
    public void ListenAndAcceptTellTheirCallsAndATimeoutOrABusyPort()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0 -Backlog 7 -Verbose
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $s = Wait-SocketConnection $l -Timeout 5 -Verbose
            Wait-SocketConnection $l -Timeout 0.2 -Verbose
            Start-SocketListener -Port $l.LocalEndPoint.Port -Verbose
            "$($c.LocalEndPoint)"
            Close-Socket $c, $s, $l
            """);

        Assert.Equal(["OperationTimeout", "AddressInUse"], result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        string client = (string)result.Values.Last()!;
        AssertLines(result.Verbose,
            $@"socket\(AF_INET, SOCK_STREAM\) -> {Id}",
            @"bind\(#\1, 127\.0\.0\.1:0\) -> 127\.0\.0\.1:(\d+)",
            @"listen\(#\1, 7\)",
            $@"accept\(#\1\) -> #\d+ from {Regex.Escape(client)} in {Took}",
            $@"accept\(#\1\) timed out after {Took}",
            @"socket\(AF_INET, SOCK_STREAM\) -> the new socket",
            $@"bind\(the new socket, 127\.0\.0\.1:\2\) failed: EADDRINUSE in {Took}",
            @"close\(the new socket\)");
    }

    [Fact]
    [VerboseOf("New-SocketPair", "Close-Socket", "Disconnect-Socket")]
    public void PairsShutdownAndCloseTellTheirCalls()
    {
        var result = Ps.Run("""
            $a, $b = New-SocketPair -Verbose
            Disconnect-Socket $a -Direction Send -Verbose -Confirm:$false
            Disconnect-Socket $a -Direction Receive -Verbose
            Close-Socket $a -Verbose
            Close-Socket $a -Verbose
            Disconnect-Socket $a -Verbose
            $l = Start-SocketListener -Port 0
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            Close-Socket $c -Abort -Verbose
            Close-Socket $b, $l
            """);

        AssertErrorId(result, "SocketClosed", "DisconnectSocketCommand");
        var lines = result.Verbose.Where(v => !v.StartsWith("Performing", StringComparison.Ordinal)).ToList();
        AssertLines(lines,
            $@"socketpair\(AF_UNIX, SOCK_STREAM\) -> {Id}, #\d+ \(\.NET has none: .*\)",
            @"shutdown\(#\1, SHUT_WR\)",
            @"shutdown\(#\1, SHUT_RD\)",
            @"close\(#\1\)",
            @"close\(#\1\): closed already, nothing to do",
            @"setsockopt\(#(\d+), SOL_SOCKET, SO_LINGER, \{l_onoff=1, l_linger=0\}\) \(close resets the connection: RST\)",
            @"close\(#\2\)");
    }

    [Fact]
    [VerboseOf("Send-SocketData", "Receive-SocketData", "Invoke-SocketRequest")]
    public void TransfersTellSizesAndPayloadBytesShowOnlyWithDebug()
    {
        const string Secret = "Vq8rNx2LpZ7wKs4T";
        var result = WithPair("""
            Send-SocketData $c $args[0] -Verbose
            Receive-SocketData $s -Count 16 -Verbose -Debug
            Invoke-SocketRequest $c "$($args[0])`n" -Line -Timeout 0.2 -Verbose
            Close-Socket $c
            Receive-SocketData $s -Count 100 -Verbose
            Send-SocketData $c $args[0] -Verbose
            """, Secret);

        Assert.Equal(Secret, result.Values.First());
        AssertLines(result.Verbose,
            @"send\(#(\d+), 16 bytes\) -> 16",
            @"recv\(#(\d+), 16 bytes\) -> 16",
            @"send\(#\1, 18 bytes\) -> 18",
            $@"recv\(#\1, a line\) timed out after {Took}",
            @"recv\(#\2, 100 bytes\) -> 0 \(peer closed\)",
            $@"send\(#\1, 16 bytes\) failed: EBADF in {Took}");
        Assert.Equal(["OperationTimeout", "PeerClosed", "SocketClosed"], result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.DoesNotContain(result.Verbose.Concat(result.Warnings).Concat(result.Errors.Select(e => e.ToString())), t => t.Contains(Secret[..6], StringComparison.Ordinal));
        Assert.Contains(result.Debug, d => d.Contains("|Vq8rNx2LpZ7wKs4T|", StringComparison.Ordinal)); // hexdump -C's text column
    }

    [Fact]
    [VerboseOf("Select-Socket")]
    public void SelectTellsItsListsAndWhatWasReadyOrThatItTimedOut()
    {
        var result = WithPair("""
            Send-SocketData $c 'x'
            $null = Select-Socket -Read $s, $c -Write $c -Timeout 5 -Verbose
            $null = Select-Socket -Read $c -Timeout 0.1 -Verbose
            Select-Socket -Verbose
            "$($c.Id) $($s.Id)"
            """);

        AssertErrorId(result, "NothingToSelect", "SelectSocketCommand");
        var ids = ((string)result.Values.Last()!).Split(' ');
        string c = ids[0], s = ids[1];
        AssertLines(result.Verbose,
            $@"select\(read \[#{s}, #{c}\], write \[#{c}\], error \[\], 5 s\) -> read \[#{s}\], write \[#{c}\], error \[\] in {Took}",
            $@"select\(read \[#{c}\], write \[\], error \[\], 0\.1 s\) -> 0 ready: timed out after {Took}");
    }

    [Fact]
    [VerboseOf("Get-SocketOption", "Set-SocketOption")]
    public void OptionsTellGetsockoptAndSetsockoptAndARefusal()
    {
        var result = WithPair("""
            $null = Get-SocketOption $c ReceiveBufferSize, NoDelay, Linger, Blocking -Verbose
            Set-SocketOption $c NoDelay $true -Verbose
            Set-SocketOption $c Linger 0 -Verbose
            $null = Get-SocketOption $c -Level Socket -OptionName ReceiveBuffer -Verbose
            Set-SocketOption $c -Level Tcp -OptionName 9999 -Value 1 -Verbose
            """);

        AssertErrorId(result, "OptionNotSupported", "SetSocketOptionCommand");
        AssertLines(result.Verbose,
            $@"getsockopt\({Id}, SOL_SOCKET, SO_RCVBUF\) -> \d+",
            @"getsockopt\(#\1, IPPROTO_TCP, TCP_NODELAY\) -> 0",
            @"getsockopt\(#\1, SOL_SOCKET, SO_LINGER\) -> \{l_onoff=0\}",
            @"fcntl\(#\1, F_GETFL\) -> O_NONBLOCK clear",
            @"setsockopt\(#\1, IPPROTO_TCP, TCP_NODELAY, 1\)",
            @"setsockopt\(#\1, SOL_SOCKET, SO_LINGER, \{l_onoff=1, l_linger=0\}\)",
            @"getsockopt\(#\1, SOL_SOCKET, ReceiveBuffer\) -> \d+",
            $@"setsockopt\(#\1, IPPROTO_TCP, 9999, 1\) failed: (ENOPROTOOPT|EINVAL) in {Took}");
    }

    [Fact]
    [VerboseOf("Resolve-SocketAddress", "ConvertTo-SocketBytes", "ConvertFrom-SocketBytes")]
    public void LookupsAndStructsTellWhatTheyCalledOrThatNoSocketWasCalled()
    {
        var result = Ps.Run("""
            $null = Resolve-SocketAddress localhost 80 -Verbose
            $null = Resolve-SocketAddress 127.0.0.1 80 -Verbose
            Resolve-SocketAddress nothing-here.invalid -Verbose
            ConvertTo-SocketBytes '!HI' 1, 2 -Verbose | ConvertFrom-SocketBytes '!HI' -Verbose
            ConvertFrom-SocketBytes '!HI' ([byte[]](1, 2)) -Verbose
            """);

        Assert.Equal([1, 2], result.Values.Select(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Assert.Equal(["HostNotFound", "InvalidStructRecord"], result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        AssertLines(result.Verbose,
            $@"getaddrinfo\(""localhost"", 80\) -> 127\.0\.0\.1:80 in {Took}",
            @"No getaddrinfo for 127\.0\.0\.1: an address literal is its own address\.",
            $@"getaddrinfo\(""nothing-here\.invalid"", 0\) failed: EAI_NONAME in {Took}",
            @"No socket call: struct\.pack\('!HI', 2 values\) -> 6 bytes",
            @"No socket call: struct\.unpack\('!HI', 6 bytes\) -> 2 values");
    }

    [Fact]
    [VerboseOf("Protect-Socket")]
    public void TlsHandshakesTellTheVersionCipherAndTimeOrTheFailure()
    {
        using var server = OpensslServer.Start(TestCertificates.Shared.SelfSigned);
        var result = Ps.Run("""
            $c = Connect-Socket localhost $args[0] -Timeout 10
            Protect-Socket $c -SkipCertificateCheck -Timeout 10 -Verbose -WarningAction SilentlyContinue
            Close-Socket $c
            $l = Start-SocketListener -Port 0
            $p = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            Protect-Socket $p -Timeout 0.3 -Verbose
            Close-Socket $p, $l
            """, server.Port);

        Assert.Equal("OperationTimeout", result.OnlyError.FullyQualifiedErrorId.Split(',')[0]);
        AssertLines(result.Verbose.Where(v => !v.StartsWith("Performing", StringComparison.Ordinal)).ToList(),
            $@"do_handshake\({Id}, server_hostname=""[^""]+""\) -> Tls1[23] TLS_\w+ in {Took}",
            $@"do_handshake\(#\d+, server_hostname=""127\.0\.0\.1""\) timed out after {Took}");
    }

    [Fact]
    [VerboseOf("Test-SocketConnection")]
    public void NetworkChecksTellEachConnectFromItsResult()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0 -Backlog 4; $open = $l.LocalEndPoint.Port
            $x = Start-SocketListener -Port 0; $closed = $x.LocalEndPoint.Port; Close-Socket $x
            Test-SocketConnection 127.0.0.1 $open -Timeout 5 -Quiet -Verbose
            Test-SocketConnection 127.0.0.1 $closed -Timeout 5 -Quiet -Verbose
            Close-Socket $l
            """).Ok();

        Assert.Equal(new object?[] { true, false }, result.Values);
        AssertLines(result.Verbose,
            $@"127\.0\.0\.1:\d+: connect\(127\.0\.0\.1:\d+\) ok in {Took}, close\(\)",
            $@"127\.0\.0\.1:\d+: connect\(127\.0\.0\.1:\d+\) failed: ECONNREFUSED after {Took}, 1 attempt\(s\); close\(\)");
    }

    [Fact]
    [VerboseOf("Get-Socket", "Get-SocketServer", "Get-SocketRelay", "Stop-SocketServer", "Stop-SocketRelay", "Start-SocketRelay")]
    public void ServersRelaysAndRegistriesTellWhatTheyDid()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -Handler { param($c) } -Verbose
            $r = Start-SocketRelay 0 "127.0.0.1:$($srv.LocalEndPoint.Port)" -Verbose
            $null = Get-Socket -Verbose
            $null = Get-SocketServer -Verbose
            $null = Get-SocketRelay -Verbose
            Get-SocketServer -Id 99999 -Verbose
            Start-SocketRelay $srv.LocalEndPoint.Port "127.0.0.1:$($srv.LocalEndPoint.Port)" -Verbose
            Stop-SocketRelay $r -Verbose
            Stop-SocketServer $srv -Verbose
            """);

        Assert.Equal(["SocketServerNotFound", "AddressInUse"], result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        var lines = result.Verbose.Where(v => !v.StartsWith("Performing", StringComparison.Ordinal)).ToList();
        AssertLines(lines,
            $@"socket\(AF_INET, SOCK_STREAM\) -> {Id}",
            @"bind\(#\1, 127\.0\.0\.1:0\) -> 127\.0\.0\.1:\d+",
            @"listen\(#\1, 128\)",
            @"Serving: .*: a thread of its own calls accept\(\) on the listener and runs the handler for each connection, 16 at most at once\.",
            $@"socket\(AF_INET, SOCK_STREAM\) -> {Id.Replace("(", "(?<r>", StringComparison.Ordinal)}",
            @"bind\(#\k<r>, 127\.0\.0\.1:0\) -> 127\.0\.0\.1:\d+",
            @"listen\(#\k<r>, 128\)",
            @"Relaying: .*: a thread of its own calls accept\(\) on the listener, and connect\(\) to the target for each client\.",
            @"No socket call: the \d+ open socket\(s\) of this session, from its own list \(as a C program keeps its descriptors\)\.",
            @"No socket call: the 1 running server\(s\) of this session, from its own list\.",
            @"No socket call: the 1 running relay\(s\) of this session, from its own list\.",
            @"No socket call: the 1 running server\(s\) of this session, from its own list\.",
            @"socket\(AF_INET, SOCK_STREAM\) -> the new socket",
            $@"bind\(the new socket, 127\.0\.0\.1:\d+\) failed: EADDRINUSE in {Took}",
            @"close\(the new socket\)",
            @"close\(#\k<r>\)",
            @"Stopped .*: 0 connection\(s\), 0 bytes up, 0 bytes down\.",
            @"close\(#\1\)",
            @"Stopped accepting: .*, 0 handlers running\.");
    }

    [Fact]
    [VerboseOf("Enable-SocketTrace", "Disable-SocketTrace", "Get-SocketTrace", "Clear-SocketTrace")]
    public void TheTraceCmdletsTellWhatTheyTraceAndWhatTheyRead()
    {
        var result = Ps.Run("""
            $a, $b = New-SocketPair
            Enable-SocketTrace $a -Limit 4KB -Verbose
            Send-SocketData $a 'ping'
            $null = Get-SocketTrace $a -Verbose
            Clear-SocketTrace $a -Verbose
            Disable-SocketTrace $a -Verbose
            Enable-SocketTrace -Verbose
            Disable-SocketTrace -Verbose
            Get-SocketTrace $b -Verbose
            Close-Socket $a, $b
            """);

        AssertErrorId(result, "SocketNotTraced", "GetSocketTraceCommand");
        var lines = result.Verbose.Where(v => !v.StartsWith("Performing", StringComparison.Ordinal)).ToList();
        AssertLines(lines,
            @"Tracing socket (\d+) \(Unix .*\), keeping up to 4096 bytes\.",
            @"No socket call: the trace of socket \1 \(.*\) keeps 1 of the 1 entries it recorded, \d+ of 4096 bytes\.",
            @"Cleared the trace of socket \1 \(.*\); it goes on recording\.",
            @"Stopped tracing socket \1 \(.*\); what it recorded stays readable \(Get-SocketTrace\)\.",
            @"Every socket this session makes from now on is traced, keeping up to 1048576 bytes each\.",
            @"New sockets of this session are no longer traced\.");
    }

    [Fact]
    [VerboseOf("Invoke-SocketReplay")]
    public void InvokeSocketReplayTellsEachCallOfTheReplayAndARefusedConnect()
    {
        var result = Ps.Run("""
            $srv = Start-SocketListener -Port 0 -Handler { param($c) Send-SocketData $c ("ECHO " + (Receive-SocketData $c -Line -Timeout 10)) -Line }
            try {
                $c = Connect-Socket 127.0.0.1 $srv.LocalEndPoint.Port -Trace -Timeout 5
                $null = Invoke-SocketRequest $c 'HI' -Timeout 5
                $null = Receive-SocketData $c -ToEnd -Timeout 5
                Close-Socket $c
                $t = Get-SocketTrace $c
                Invoke-SocketReplay -Trace $t 127.0.0.1 $srv.LocalEndPoint.Port -Timeout 5 -Verbose
                $l = Start-SocketListener -Port 0; $port = $l.LocalEndPoint.Port; Close-Socket $l
                Invoke-SocketReplay -Trace $t 127.0.0.1 $port -Timeout 5 -Verbose
            }
            finally { Stop-SocketServer $srv }
            """);

        AssertErrorId(result, "ConnectionRefused", "InvokeSocketReplayCommand");
        var lines = result.Verbose.Where(v => !v.StartsWith("Performing", StringComparison.Ordinal)).ToList();
        AssertLines(lines,
            $@"socket\(AF_INET, SOCK_STREAM\) -> {Id}",
            $@"connect\(#\1, 127\.0\.0\.1:(\d+)\) ok in {Took}",
            @"Replaying the client side of #\d+ to socket \1 .*: 3 messages, 1 of them sent\.",
            @"send\(#\1, 3 bytes\) -> 3",
            @"recv\(#\1, 8\) -> 8",
            @"recv\(#\1, 65536\) -> 0 \(peer closed\)",
            @"close\(#\1\)",
            @"socket\(AF_INET, SOCK_STREAM\) -> attempt 1",
            $@"connect\(attempt 1, 127\.0\.0\.1:\d+\) failed: ECONNREFUSED in {Took}",
            @"close\(attempt 1\)");
    }

    [Fact]
    [VerboseOf("Enter-SocketSession")]
    public void EnterSocketSessionTellsItsNewlineEachTransferAndTheSummaryAndATimedOutAccept()
    {
        var talked = WithPair("""
            Send-SocketData $s "yo`n"
            'hi' | Enter-SocketSession $c -NewLine CRLF -Timeout 0.2 -Verbose
            """);
        var waited = Ps.Run("""
            $l2 = Start-SocketListener -Port 0
            try { 'hi' | Enter-SocketSession $l2 -Timeout 0.2 -Verbose } finally { Close-Socket $l2 }
            """);

        Assert.Equal(["yo"], talked.Ok().Values);
        AssertLines(talked.Verbose,
            $@"Session on {Id} with 127\.0\.0\.1:\d+: lines end with \\r\\n\.",
            @"send\(#\1, 4 bytes\) -> 4",
            @"recv\(#\1, 65536\) -> 3",
            @"Session on #\1 ended \(quiet for 0\.2 s\): sent 4 bytes, received 3 bytes in 0\.\d s\.");
        AssertErrorId(waited, "OperationTimeout", "EnterSocketSessionCommand");
        AssertLines(waited.Verbose, $@"accept\({Id}\) timed out after {Took}");
    }

    private static void AssertErrorId(ScriptResult result, string errorId, string commandClass) =>
        Assert.Equal($"{errorId},PsSockets.Commands.{commandClass}", result.OnlyError.FullyQualifiedErrorId);

    /// <summary>
    /// Each line matches its pattern, in order, and there are no others. A pattern may refer to what an earlier one captured
    /// (\1, \k&lt;r&gt;): the patterns are matched as one, against the lines joined.
    /// </summary>
    private static void AssertLines(IReadOnlyList<string> lines, params string[] patterns)
    {
        string text = string.Join("\n", lines);
        string pattern = "^" + string.Join("\n", patterns.Select(p => $"(?:{p})")) + "$";
        Assert.True(Regex.IsMatch(text, pattern), $"The verbose lines\n{text}\ndo not match\n{string.Join("\n", patterns)}");
    }
}
