using System;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Get-SocketOption and Set-SocketOption: every named option reaches the OS (checked with getsockopt's own
/// numbers on Linux), applies only where it means something, and the timeouts steer the module's calls.
/// </summary>
public sealed class SocketOptionTests : SocketTestBase
{
    private const string Sockets = """
        function global:New-TestSocket([string] $kind) {
            switch ($kind) {
                'tcp4' { New-Socket }
                'tcp6' { New-Socket -AddressFamily InterNetworkV6 }
                'udp4' { New-Socket -Type Dgram }
                'udp6' { New-Socket -Type Dgram -AddressFamily InterNetworkV6 }
                'unix' { (New-SocketPair)[0] }
            }
        }
        # getsockopt as C calls it: Linux's own level and option numbers, an int in machine order.
        function global:Get-RawInt($socket, [int] $level, [int] $name) {
            $bytes = [byte[]]::new(4)
            $null = $socket.Socket.GetRawSocketOption($level, $name, $bytes)
            [BitConverter]::ToInt32($bytes, 0)
        }
        """;

    public SocketOptionTests(PsSession ps) : base(ps) => Ps.Run(Sockets).Ok();

    public static TheoryData<string, string, string, string, string, string> RoundTrips => new()
    {
        // kind, option, value to set, value Get-SocketOption reads back, what the OS says, what it should say
        { "tcp4", "NoDelay", "$true", "True", "Get-RawInt $x 6 1", "1" },                      // IPPROTO_TCP, TCP_NODELAY
        { "tcp4", "ReuseAddress", "$true", "True", "Get-RawInt $x 1 2", "1" },                  // SOL_SOCKET, SO_REUSEADDR
        { "udp4", "ReusePort", "$true", "True", "Get-RawInt $x 1 15", "1" },                    // SO_REUSEPORT
        { "tcp6", "KeepAlive", "$true", "True", "Get-RawInt $x 1 9", "1" },                     // SO_KEEPALIVE
        { "tcp4", "KeepAliveIdle", "30", "30", "Get-RawInt $x 6 4", "30" },                     // TCP_KEEPIDLE
        { "tcp4", "KeepAliveInterval", "'7'", "7", "Get-RawInt $x 6 5", "7" },                  // TCP_KEEPINTVL, from a string
        { "tcp4", "KeepAliveCount", "4", "4", "Get-RawInt $x 6 6", "4" },                       // TCP_KEEPCNT
        { "tcp4", "Linger", "5", "5", "Get-RawInt $x 1 13", "1" },                              // SO_LINGER's l_onoff
        { "tcp4", "ReceiveBufferSize", "32768", "65536", "Get-RawInt $x 1 8", "65536" },        // SO_RCVBUF: Linux doubles it
        { "udp6", "SendBufferSize", "32768", "65536", "Get-RawInt $x 1 7", "65536" },           // SO_SNDBUF
        { "udp4", "Broadcast", "1", "True", "Get-RawInt $x 1 6", "1" },                         // SO_BROADCAST, from a number
        { "tcp4", "Ttl", "17", "17", "Get-RawInt $x 0 2", "17" },                               // IPPROTO_IP, IP_TTL
        { "udp6", "Ttl", "18", "18", "Get-RawInt $x 41 16", "18" },                             // IPPROTO_IPV6, IPV6_UNICAST_HOPS
        { "tcp6", "DualMode", "$true", "True", "Get-RawInt $x 41 26", "0" },                    // IPV6_V6ONLY (1 from .NET) is the inverse
        { "udp4", "MulticastTtl", "5", "5", "Get-RawInt $x 0 33", "5" },                        // IP_MULTICAST_TTL
        { "udp6", "MulticastTtl", "6", "6", "Get-RawInt $x 41 18", "6" },                       // IPV6_MULTICAST_HOPS
        { "udp4", "MulticastLoopback", "$false", "False", "Get-RawInt $x 0 34", "0" },          // IP_MULTICAST_LOOP
        { "udp6", "MulticastLoopback", "$false", "False", "Get-RawInt $x 41 19", "0" },         // IPV6_MULTICAST_LOOP
        { "udp4", "MulticastInterface", "'127.0.0.1'", "127.0.0.1", "[ipaddress]::new([BitConverter]::GetBytes((Get-RawInt $x 0 32))).ToString()", "127.0.0.1" }, // IP_MULTICAST_IF
        { "unix", "Blocking", "$false", "False", "$x.Socket.Blocking", "False" },
        { "unix", "ReceiveTimeout", "0.25", "0.25", "$x.Socket.ReceiveTimeout", "250" },        // SO_RCVTIMEO, in ms
        { "tcp4", "SendTimeout", "1.5", "1.5", "$x.Socket.SendTimeout", "1500" },               // SO_SNDTIMEO
        { "udp4", "ReceiveTimeout", "0", "0", "$x.Socket.ReceiveTimeout", "1" },                // 0 is "at once" here, and 0 means "never" to the OS
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void EveryNamedOptionRoundTripsAndTheSystemSeesIt(string kind, string option, string value, string readBack, string raw, string rawExpected)
    {
        var result = Ps.Run($"""
            $x = New-TestSocket {kind}
            "$({raw})"
            Set-SocketOption $x {option} {value}
            "$((Get-SocketOption $x {option}).Value)"
            "$({raw})"
            """).Ok().Values.ToList();
        Assert.Equal(new object?[] { readBack, rawExpected }, result.Skip(1));
        Assert.NotEqual(rawExpected, result[0]); // the default differs, so the value seen is the one set
    }

    public static TheoryData<string, string> Listings => new()
    {
        { "tcp4", "NoDelay ReuseAddress ReusePort KeepAlive KeepAliveIdle KeepAliveInterval KeepAliveCount Linger ReceiveBufferSize SendBufferSize Ttl Blocking ReceiveTimeout SendTimeout" },
        { "tcp6", "NoDelay ReuseAddress ReusePort KeepAlive KeepAliveIdle KeepAliveInterval KeepAliveCount Linger ReceiveBufferSize SendBufferSize Ttl DualMode Blocking ReceiveTimeout SendTimeout" },
        { "udp4", "ReuseAddress ReusePort ReceiveBufferSize SendBufferSize Broadcast Ttl MulticastTtl MulticastLoopback MulticastInterface MulticastGroups Blocking ReceiveTimeout SendTimeout" },
        { "udp6", "ReuseAddress ReusePort ReceiveBufferSize SendBufferSize Broadcast Ttl DualMode MulticastTtl MulticastLoopback MulticastGroups Blocking ReceiveTimeout SendTimeout" },
        { "unix", "ReceiveBufferSize SendBufferSize Blocking ReceiveTimeout SendTimeout" },
    };

    [Theory]
    [MemberData(nameof(Listings))]
    public void WithoutANameEveryOptionThatAppliesIsListed(string kind, string names)
    {
        var listed = Ps.Run($$"""
            $x = New-TestSocket {{kind}}
            $all = Get-SocketOption $x
            ($all | ForEach-Object Name) -join ' '
            ($all | Where-Object SocketId -ne $x.Id).Count
            ($all | Where-Object { -not [object]::ReferenceEquals($_.Socket, $x) }).Count
            """).Ok().Values.ToList();
        Assert.Equal(new object?[] { names, 0, 0 }, listed);
    }

    [Fact]
    public void TheCNameAndLevelFollowTheSocketsFamily()
    {
        var result = Ps.Run("""
            foreach ($kind in 'tcp4', 'tcp6') {
                $x = New-TestSocket $kind
                $ttl = Get-SocketOption $x Ttl
                "$($ttl.CName) $($ttl.Level) $($ttl.Unit)"
            }
            $v = Get-SocketOption (New-TestSocket tcp4) KeepAliveIdle
            "$($v.CName) $($v.Level) $($v.Unit) $($v.Value.GetType().Name)"
            """).Ok();
        Assert.Equal(new object?[] { "IP_TTL IPPROTO_IP hops", "IPV6_UNICAST_HOPS IPPROTO_IPV6 hops", "TCP_KEEPIDLE IPPROTO_TCP seconds Int32" }, result.Values);
    }

    [Fact]
    public void NamesTakeWildcardsAndIgnoreCase()
    {
        var result = Ps.Run("""
            $c = New-TestSocket tcp4
            (Get-SocketOption $c keepalive*, *TIMEOUT | ForEach-Object Name) -join ' '
            (Get-SocketOption (New-TestSocket udp4) Keep* | ForEach-Object Name).Count
            (Get-SocketOption $c nodelay).Name
            """).Ok();
        Assert.Equal(new object?[] { "KeepAlive KeepAliveIdle KeepAliveInterval KeepAliveCount ReceiveTimeout SendTimeout", 0, "NoDelay" }, result.Values);
    }

    [Fact]
    public void TheSocketComesFromThePipelineByValueByPropertyNameOrAsAnId()
    {
        var result = Ps.Run("""
            $c = New-TestSocket tcp4
            $c | Set-SocketOption -Name NoDelay -Value $true -PassThru | Get-SocketOption -Name NoDelay | ForEach-Object Value
            [pscustomobject]@{ Socket = $c } | Get-SocketOption -Name KeepAlive | ForEach-Object Value
            Get-SocketOption $c NoDelay | Set-SocketOption -Name KeepAlive -Value $true
            (Get-SocketOption $c.Id KeepAlive).Value
            Set-SocketOption $c Ttl 9
            """).Ok();
        Assert.Equal(new object?[] { true, false, true }, result.Values);
    }

    public static TheoryData<string, string, string, string> NotApplicable => new()
    {
        { "udp4", "NoDelay", "NoDelay (TCP_NODELAY) applies to TCP sockets;", "is UDP." },
        { "unix", "KeepAliveIdle", "KeepAliveIdle (TCP_KEEPIDLE) applies to TCP sockets;", "is a unix socket." },
        { "udp6", "Linger", "Linger (SO_LINGER) applies to TCP sockets;", "is UDP." },
        { "tcp4", "Broadcast", "Broadcast (SO_BROADCAST) applies to UDP sockets;", "is TCP." },
        { "tcp4", "DualMode", "DualMode (IPV6_V6ONLY) applies to IPv6 sockets;", "is IPv4." },
        { "unix", "Ttl", "Ttl (IP_TTL) applies to TCP and UDP sockets;", "is a unix socket." },
        { "udp6", "MulticastInterface", "MulticastInterface (IP_MULTICAST_IF) applies to UDP sockets over IPv4;", "is IPv6." },
        { "unix", "ReuseAddress", "ReuseAddress (SO_REUSEADDR) applies to TCP and UDP sockets;", "is a unix socket." },
    };

    [Theory]
    [MemberData(nameof(NotApplicable))]
    public void AnOptionOnTheWrongKindOfSocketIsAClearError(string kind, string option, string applies, string isWhat)
    {
        Ps.Run($"$x = New-TestSocket {kind}").Ok();
        foreach (var (script, command) in new[] { ($"Set-SocketOption $x {option} 1", "SetSocketOptionCommand"), ($"Get-SocketOption $x {option}", "GetSocketOptionCommand") })
        {
            var result = Ps.Run(script);
            AssertError(result, "OptionNotApplicable", ErrorCategory.InvalidOperation, command);
            string socket = (string)Ps.Run("$x.ToString()").Ok().Single!;
            Assert.Equal($"{applies} {socket} {isWhat}", result.OnlyError.Exception.Message);
            Assert.Same(Ps.Get("x"), result.OnlyError.TargetObject);
        }
    }

    public static TheoryData<string, string, string, string> BadValues => new()
    {
        { "Ttl", "300", "an Int32: 1 to 255 hops", "64" },
        { "Ttl", "'many'", "an Int32: 1 to 255 hops", "64" },
        { "ReceiveBufferSize", "-1", "an Int32: 1 or more bytes", "131072" },
        { "Linger", "$false", "an Int32: 0 to 65535 seconds, or $null for off", "" },
        { "NoDelay", "'maybe'", "a Boolean ($true or $false)", "False" },
        { "NoDelay", "$null", "a Boolean ($true or $false)", "False" },
        { "ReceiveTimeout", "-0.5", "a Double: 0 to 2000000 seconds, or $null for no limit", "" },
        { "KeepAliveCount", "0", "an Int32: 1 or more probes", "9" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void ABadValueIsAnInvalidArgumentThatNamesTheTypeAndChangesNothing(string option, string value, string expected, string unchanged)
    {
        var result = WithPair($"Set-SocketOption $c {option} {value}");
        AssertError(result, "InvalidArgument", ErrorCategory.InvalidArgument, "SetSocketOptionCommand");
        Assert.EndsWith($": it takes {expected}.", result.OnlyError.Exception.Message);
        Assert.StartsWith($"Cannot set {option} (", result.OnlyError.Exception.Message);
        Assert.Equal(unchanged, Ps.Run($"\"$((Get-SocketOption $c {option}).Value)\"").Ok().Single);
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var result = Ps.Run("Set-SocketOption (New-TestSocket tcp4) NoDelai $true");
        AssertError(result, "InvalidArgument", ErrorCategory.InvalidArgument, "SetSocketOptionCommand");
        Assert.Contains("'NoDelai' is not a socket option PsSockets knows; the options are NoDelay, ReuseAddress,", result.OnlyError.ToString());
        Assert.Contains("ReceiveTimeout, SendTimeout.", result.OnlyError.ToString());
    }

    [Fact]
    public void AClosedSocketIsSocketClosed()
    {
        var result = Ps.Run("$x = New-TestSocket tcp4; Close-Socket $x; Get-SocketOption $x NoDelay");
        AssertError(result, "SocketClosed", ErrorCategory.InvalidOperation, "GetSocketOptionCommand");
        AssertError(Ps.Run("Set-SocketOption $x NoDelay $true"), "SocketClosed", ErrorCategory.InvalidOperation, "SetSocketOptionCommand");
        AssertError(Ps.Run("Get-SocketOption $x -Level Tcp -OptionName 1"), "SocketClosed", ErrorCategory.InvalidOperation, "GetSocketOptionCommand");
    }

    [Fact]
    public void AnOsErrorKeepsTheSocketExceptionInside()
    {
        // Linux refuses a keepalive idle time above 32767 s with EINVAL.
        var result = Ps.Run("Set-SocketOption (New-TestSocket tcp4) KeepAliveIdle 40000");
        AssertError(result, "InvalidArgument", ErrorCategory.InvalidArgument, "SetSocketOptionCommand");
        Assert.IsType<System.Net.Sockets.SocketException>(result.OnlyError.Exception.InnerException);
        Assert.StartsWith("Cannot set KeepAliveIdle (TCP_KEEPIDLE) to 40000 on socket ", result.OnlyError.Exception.Message);
    }

    [Fact]
    public void RawLevelAndNumberRoundTrip()
    {
        var result = Ps.Run("""
            $x = New-TestSocket tcp4
            Set-SocketOption $x -Level Socket -OptionName 9 -Value 1         # SOL_SOCKET, SO_KEEPALIVE on Linux
            (Get-SocketOption $x KeepAlive).Value
            $x.Socket.GetSocketOption('Socket', 'KeepAlive')
            Get-SocketOption $x -Level SOL_SOCKET -OptionName KeepAlive      # .NET's name: .NET maps it
            Set-SocketOption $x NoDelay $true
            Get-SocketOption $x -Level Tcp -OptionName 1                     # TCP_NODELAY
            Set-SocketOption $x -Level 6 -OptionName 4 -Value '42'           # IPPROTO_TCP, TCP_KEEPIDLE
            (Get-SocketOption $x KeepAliveIdle).Value
            Set-SocketOption $x -Level IPPROTO_TCP -OptionName NoDelay -Value $false
            $x.Socket.NoDelay
            Set-SocketOption $x -Level Socket -OptionName 13 -Value ([byte[]](1, 0, 0, 0, 9, 0, 0, 0))   # SO_LINGER: struct linger
            (Get-SocketOption $x Linger).Value
            $bytes = Get-SocketOption $x -Level Socket -OptionName 13 -Length 8
            $bytes.GetType().Name + ' ' + ($bytes -join ',')
            """).Ok();
        Assert.Equal(new object?[] { true, 1, 1, 1, 42, false, 9, "Byte[] 1,0,0,0,9,0,0,0" }, result.Values);
    }

    [Fact]
    public void RawMistakesAreClearErrors()
    {
        Ps.Run("$x = New-TestSocket tcp4").Ok();
        var unknown = Ps.Run("Get-SocketOption $x -Level Tcp -OptionName 999");
        AssertError(unknown, "OptionNotSupported", ErrorCategory.NotImplemented, "GetSocketOptionCommand");
        Assert.IsType<System.Net.Sockets.SocketException>(unknown.OnlyError.Exception.InnerException);
        Assert.Contains("option 999 at level Tcp (6)", unknown.OnlyError.ToString());

        var level = Ps.Run("Get-SocketOption $x -Level Transport -OptionName 1");
        AssertError(level, "InvalidArgument", ErrorCategory.InvalidArgument, "GetSocketOptionCommand");
        Assert.Contains("'Transport' is not a socket option level", level.OnlyError.ToString());

        var value = Ps.Run("Set-SocketOption $x -Level Tcp -OptionName 1 -Value 'yes'");
        AssertError(value, "InvalidArgument", ErrorCategory.InvalidArgument, "SetSocketOptionCommand");
        Assert.Contains("the value is an Int32 or a byte[], and 'yes' (String) is neither", value.OnlyError.ToString());
    }

    [Fact]
    public void ReceiveTimeoutLimitsReceivesWithoutTheirOwnAndTheSocketStaysUsable()
    {
        var result = WithPair("""
            $s.Timeout = 30
            Set-SocketOption $s SendTimeout 0.05
            Set-SocketOption $s ReceiveTimeout 0.3
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Receive-SocketData $s -ErrorAction SilentlyContinue -ErrorVariable late
            $watch.Elapsed.TotalSeconds
            $late[0].FullyQualifiedErrorId; $late[0].Exception.Message
            Send-SocketData $c "still here`n"
            Receive-SocketData $s -Line
            Receive-SocketData $s -Timeout 0.1 -ErrorAction SilentlyContinue -ErrorVariable own
            $own[0].Exception.Message
            $tmp = [IO.Path]::GetTempFileName()
            Receive-SocketData $s -Count 10 -OutFile $tmp -ErrorAction SilentlyContinue -ErrorVariable file
            $file[0].Exception.Message
            [IO.File]::Delete($tmp)
            """).Ok().Values.ToList();
        Assert.InRange((double)result[0]!, 0.25, 10);
        Assert.Equal("OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand", result[1]);
        Assert.StartsWith("Timed out after 0.3 s waiting to receive from", (string)result[2]!);
        Assert.Equal("still here", result[3]);
        Assert.StartsWith("Timed out after 0.1 s", (string)result[4]!);  // the call's own -Timeout comes first
        Assert.StartsWith("Timed out after 0.3 s", (string)result[5]!);  // a receive to a file waits as long
    }

    [Fact]
    public void SendTimeoutLimitsSendsWithoutTheirOwn()
    {
        var result = WithPair("""
            Set-SocketOption $s ReceiveBufferSize 4096
            Set-SocketOption $c SendBufferSize 4096
            $c.Timeout = 30
            Set-SocketOption $c ReceiveTimeout 20
            Set-SocketOption $c SendTimeout 0.3
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Send-SocketData $c ([byte[]]::new(64MB)) -ErrorAction SilentlyContinue -ErrorVariable late
            $watch.Elapsed.TotalSeconds
            $late[0].FullyQualifiedErrorId; $late[0].Exception.Message
            $c.Socket.SendTimeout
            """).Ok().Values.ToList();
        Assert.InRange((double)result[0]!, 0.25, 10);
        Assert.Equal("OperationTimeout,PsSockets.Commands.SendSocketDataCommand", result[1]);
        Assert.StartsWith("Timed out after 0.3 s waiting to send to", (string)result[2]!);
        Assert.Equal(300, result[3]);
    }

    [Fact]
    public void NoLimitIsNullAndTheSocketTimeoutAppliesAgain()
    {
        var result = WithPair("""
            Set-SocketOption $s ReceiveTimeout 5
            Set-SocketOption $s ReceiveTimeout $null
            $null -eq (Get-SocketOption $s ReceiveTimeout).Value
            $s.Socket.ReceiveTimeout
            $s.Timeout = 0.2
            Receive-SocketData $s -ErrorAction SilentlyContinue -ErrorVariable late
            $late[0].Exception.Message
            """).Ok().Values.ToList();
        Assert.Equal(true, result[0]);
        Assert.Equal(0, result[1]);
        Assert.StartsWith("Timed out after 0.2 s", (string)result[2]!);
    }

    [Fact]
    public void LingerIsSecondsOrNullForOffAndZeroResetsOnClose()
    {
        var result = WithPair("""
            Set-SocketOption $c Linger 7
            (Get-SocketOption $c Linger).Value; $c.Socket.LingerState.Enabled; $c.Socket.LingerState.LingerTime
            Set-SocketOption $c Linger $null
            $null -eq (Get-SocketOption $c Linger).Value; $c.Socket.LingerState.Enabled
            Set-SocketOption $c Linger 0
            (Get-SocketOption $c Linger).Value
            Close-Socket $c
            Receive-SocketData $s -Timeout 5 -ErrorAction SilentlyContinue -ErrorVariable reset
            $reset[0].FullyQualifiedErrorId
            """).Ok();
        Assert.Equal(new object?[] { 7, true, 7, true, false, 0, "ConnectionReset,PsSockets.Commands.ReceiveSocketDataCommand" }, result.Values);
    }

    [Theory]
    [InlineData("tcp4", "New-Socket")]
    [InlineData("udp4", "New-TestSocket udp4")]
    public void ReusePortLetsTwoSocketsBindTheSameLoopbackPort(string kind, string third)
    {
        // TCP sockets conflict once they listen (Linux lets unlistening ones share a port anyway), so these listen.
        var result = Ps.Run($$"""
            function Bind($x, $port) {
                $x.Socket.Bind([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $port))
                if ($x.Socket.SocketType -eq 'Stream') { $x.Socket.Listen() }
            }
            $a = New-TestSocket {{kind}}; Set-SocketOption $a ReusePort $true
            Bind $a 0
            $port = $a.Socket.LocalEndPoint.Port
            $b = New-TestSocket {{kind}}; Set-SocketOption $b ReusePort $true
            Bind $b $port
            $b.Socket.LocalEndPoint.Port -eq $port
            $without = {{third}}
            try { Bind $without $port } catch { $_.Exception.InnerException.SocketErrorCode.ToString() }
            """).Ok();
        Assert.Equal(new object?[] { true, "AddressAlreadyInUse" }, result.Values);
    }

    [Fact]
    public void ReuseAddressSetsSoReuseAddrAloneUnlikeDotNetsReuseAddress()
    {
        // .NET's SetSocketOption(ReuseAddress) also sets SO_REUSEPORT on Linux; the option named SO_REUSEADDR must not.
        var result = Ps.Run("""
            $x = New-TestSocket tcp4
            Set-SocketOption $x ReuseAddress $true
            Get-RawInt $x 1 2; Get-RawInt $x 1 15
            (Get-SocketOption $x ReusePort).Value
            """).Ok();
        Assert.Equal(new object?[] { 1, 0, false }, result.Values);
    }

    [Fact]
    public void ApplySetsNamedOptionsAtBirthAndRefusesUnknownNamesBeforeSettingAny()
    {
        var result = Ps.Run("""
            $options = [System.Collections.Generic.Dictionary[string, object]]::new()
            $options['nodelay'] = $true; $options['KEEPALIVEIDLE'] = 60; $options['ReceiveTimeout'] = 0.5
            $raw = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
            $later = [PsSockets.SocketOptionCatalog]::Apply($raw, $options)
            $raw.NoDelay; $raw.GetSocketOption('Tcp', 'TcpKeepAliveTime'); ($later.Keys -join ','); $raw.ReceiveTimeout
            $raw.Dispose()
            $x = New-TestSocket tcp4
            [PsSockets.SocketOptionCatalog]::Apply($x, $options)
            $x.ReceiveTimeout; (Get-SocketOption $x KeepAliveIdle).Value
            $options['Nagle'] = $false; $options['Ttl'] = 3
            try { [PsSockets.SocketOptionCatalog]::Apply($x, $options) } catch { $_.Exception.InnerException.Failure.ToString(); $_.Exception.InnerException.Message.StartsWith("'Nagle' is not a socket option PsSockets knows; the options are NoDelay,") }
            (Get-SocketOption $x Ttl).Value
            """).Ok();
        Assert.Equal(new object?[] { true, 60, "ReceiveTimeout", 0, 0.5, 60, "InvalidArgument", true, 64 }, result.Values);
    }

    [Fact]
    public void TabCompletionOffersTheOptionsThatApplyWithTheirCNames()
    {
        var result = Ps.Run("""
            $u = New-TestSocket udp4
            $line = 'Set-SocketOption -Socket $u -Name Multicast'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { "$($_.CompletionText)|$($_.ToolTip)" }
            $line = 'Get-SocketOption $u -Name N'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.Count
            $line = 'Get-SocketOption -Name keepalivei'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { "$($_.CompletionText)|$($_.ToolTip)" }
            """).Ok().Values.Select(v => v?.ToString() ?? string.Empty).ToList();
        Assert.Equal(["MulticastTtl|IP_MULTICAST_TTL", "MulticastLoopback|IP_MULTICAST_LOOP", "MulticastInterface|IP_MULTICAST_IF", "MulticastGroups|IP_ADD_MEMBERSHIP", "0", "KeepAliveIdle|TCP_KEEPIDLE", "KeepAliveInterval|TCP_KEEPINTVL"],
            result.Select(r => r.Split(':')[0]));
    }

    [Fact]
    public void TheFormatViewFitsEightyColumnsAndEveryNameFitsItsColumn()
    {
        var view = System.Xml.Linq.XDocument.Load(System.IO.Path.Combine(ModuleLayout.ModulePath, "PsSockets.Format.ps1xml"))
            .Descendants("View").Single(v => (string?)v.Element("ViewSelectedBy")?.Element("TypeName") == "PsSockets.SocketOptionValue");
        var columns = view.Descendants("TableColumnHeader").ToDictionary(h => (string)h.Element("Label")!, h => (int)h.Element("Width")!);
        Assert.Equal(["Name", "Value", "Unit", "CName", "Level"], columns.Keys);
        Assert.InRange(columns.Values.Sum() + columns.Count - 1, 0, 80);
        var lengths = Ps.Run("""
            foreach ($o in [PsSockets.SocketOptionCatalog]::All) {
                "$($o.Name.Length) $($o.CNameFor('TcpV4').Length) $($o.CNameFor('UdpV6').Length) $($o.LevelFor('UdpV6').Length) $($o.Unit.Length)"
            }
            """).Ok().Values.Cast<string>().Select(l => l.Split(' ').Select(int.Parse).ToArray()).ToList();
        Assert.InRange(lengths.Max(l => l[0]), 1, columns["Name"]);
        Assert.InRange(lengths.Max(l => Math.Max(l[1], l[2])), 1, columns["CName"]);
        Assert.InRange(lengths.Max(l => l[3]), 1, columns["Level"]);
        Assert.InRange(lengths.Max(l => l[4]), 0, columns["Unit"]);
    }
}
