using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>socket, bind, listen, accept, connect: each cmdlet's normal use, IPv4 and IPv6.</summary>
public sealed class SocketLifecycleTests(PsSession ps) : SocketTestBase(ps)
{
    [Fact]
    public void NewSocketIsOpenUntilBoundAndCarriesItsOptions()
    {
        var result = Ps.Run("""
            $a = New-Socket
            $b = New-Socket -LocalPort 0 -Name probe -NoDelay -Timeout 2.5
            $a.State; $b.State; $b.Name; $b.Socket.NoDelay; $b.Timeout
            $b.LocalEndPoint.Address.ToString(); $b.LocalEndPoint.Port -gt 0
            $b.Protocol
            """).Ok();
        Assert.Equal(new object?[] { "Open", "Bound", "probe", true, 2.5, "127.0.0.1", true, "Tcp" }, Normalize(result));
    }

    [Fact]
    public void NewSocketBoundAtBirthConnectsFromThePipeline()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            $n = New-Socket -LocalAddress 127.0.0.1 -LocalPort 0
            $c = $n | Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $s = Wait-SocketConnection $l -Timeout 5
            [object]::ReferenceEquals($n, $c)
            $c.State
            $s.RemoteEndPoint.ToString() -eq $n.LocalEndPoint.ToString()
            """).Ok();
        Assert.Equal(new object?[] { true, "Connected", true }, Normalize(result));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("[::1]", "::1")]
    public void ClientAndServerExchangeBothWays(string connectTo, string listenOn)
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0 -Address $args[1]
            $c = Connect-Socket $args[0] $l.LocalEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection -Listener $l -Timeout 5
            Send-SocketData $c "ping"
            Receive-SocketData $s -Count 4
            Send-SocketData $s "pong"
            Receive-SocketData $c -Count 4
            $c.RemoteEndPoint.Address.ToString(); $s.State; $c.BytesSent; $c.BytesReceived
            $c.Socket.Connected; $c.Socket.Blocking
            """, connectTo, listenOn).Ok();
        Assert.Equal(new object?[] { "ping", "pong", listenOn, "Connected", 4L, 4L, true, true }, Normalize(result));
    }

    [Fact]
    public void ConnectByNameTriesTheResolvedAddresses()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            $c = Connect-Socket localhost $l.LocalEndPoint.Port -Name byname
            $c.RemoteEndPoint.ToString() -eq $l.LocalEndPoint.ToString(); $c.Name
            """).Ok();
        Assert.Equal(new object?[] { true, "byname" }, Normalize(result));
    }

    [Fact]
    public void ListenerDefaultsToLoopbackAndAnEphemeralPort()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener
            $l.LocalEndPoint.Address.ToString(); $l.LocalEndPoint.Port -gt 0; $l.State; $l.IsListening
            """).Ok();
        Assert.Equal(new object?[] { "127.0.0.1", true, "Listening", true }, Normalize(result));
    }

    [Fact]
    public void AcceptTakesTheListenerFromThePipelineAndPassesOnItsTimeout()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0 -Timeout 3 -Backlog 4
            $c1 = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $c2 = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port
            $accepted = $l, $l | Wait-SocketConnection -Name srv
            $accepted.Count
            ($accepted | ForEach-Object { $_.RemoteEndPoint.Port }) -join ',' -eq (($c1, $c2 | ForEach-Object { $_.LocalEndPoint.Port }) -join ',')
            $accepted[0].Timeout; $accepted[0].Name
            """).Ok();
        Assert.Equal(new object?[] { 2, true, 3.0, "srv" }, Normalize(result));
    }

    [Fact]
    public void SocketsCanBeNamedByIdOrNameWhereASocketIsExpected()
    {
        var result = WithPair("""
            $s.Name = 'server-side'
            Send-SocketData $c.Id "by id"
            Receive-SocketData 'server-side' -Count 5
            Send-SocketData "$($c.Id)" "!"
            Receive-SocketData $s.Id -Count 1
            """).Ok();
        Assert.Equal(new object?[] { "by id", "!" }, result.Values);
    }

    [Fact]
    public void AnUnknownSocketIdFailsAtBinding()
    {
        var result = Ps.Run("Receive-SocketData 99999 -Timeout 1");
        Assert.IsType<ParameterBindingException>(result.Exception ?? result.Errors.Single().Exception, exactMatch: false);
        Assert.Contains("No open socket has id 99999", result.Exception?.Message ?? result.Errors.Single().ToString());
    }

    [Fact]
    public void TheSocketObjectShowsItsStateAndCounters()
    {
        var socket = WithPair("""Send-SocketData $c "12345"; $null = Receive-SocketData $s -Count 5; $c""").Ok().Output.Single();
        foreach (var name in new[] { "Id", "Name", "Protocol", "LocalEndPoint", "RemoteEndPoint", "State", "BytesSent", "BytesReceived", "Socket" })
        {
            Assert.NotNull(socket.Properties[name]);
        }
        Assert.Equal(5L, socket.Properties["BytesSent"].Value);
        Assert.IsType<System.Net.Sockets.Socket>(socket.Properties["Socket"].Value);
        Assert.Matches(@"^socket \d+ \(Tcp 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+\)$", socket.ToString());
    }

    [Fact]
    public void TheFormatViewIsATableOfTheSocketColumns()
    {
        var view = System.Xml.Linq.XDocument.Load(System.IO.Path.Combine(ModuleLayout.ModulePath, "PsSockets.Format.ps1xml"))
            .Descendants("View").Single(v => (string?)v.Element("ViewSelectedBy")?.Element("TypeName") == "PsSockets.PsSocket" && v.Element("TableControl") is not null);
        var labels = view.Descendants("TableColumnHeader").Select(h => (string?)h.Element("Label")).ToArray();
        Assert.Equal(new[] { "Id", "Name", "Protocol", "Local", "Remote", "State", "Sent", "Recv" }, labels);
        var loaded = Ps.Run("[PsSockets.PsSocket]::FormatEndPoint([System.Net.IPEndPoint]::new([ipaddress]::IPv6Loopback, 80))").Ok();
        Assert.Equal("[::1]:80", loaded.Single);
    }

    [Fact]
    public void ADualModeListenerTakesAnIpv4ClientAndPrintsItAsIpv4()
    {
        // ::ffff:127.0.0.1 is the IPv4 loopback seen by an IPv6 socket: only a dual-mode socket may bind it.
        var result = Ps.Run("""
            $l = Start-SocketListener -Address ::ffff:127.0.0.1 -DualMode
            $l.Socket.AddressFamily; $l.Socket.DualMode
            $c = Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 5
            $s = Wait-SocketConnection $l -Timeout 5
            [PsSockets.PsSocket]::FormatEndPoint($s.RemoteEndPoint) -eq [PsSockets.PsSocket]::FormatEndPoint($c.LocalEndPoint)
            Send-SocketData $c "hi`n"; Receive-SocketData $s -Line -Timeout 5
            (Start-SocketListener -Port 0 -Address ::1).Socket.DualMode
            """).Ok();
        Assert.Equal(new object?[] { "InterNetworkV6", true, true, "hi", false }, Normalize(result));

        var refused = Ps.Run("Start-SocketListener -Address ::ffff:127.0.0.1");
        Assert.Contains("needs a dual-mode socket: -DualMode", refused.OnlyError.ToString());
    }

    [Fact]
    public void ConnectSocketTakesAnEndpointInTheFormItPrints()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"pssockets-{System.Guid.NewGuid().ToString("n")[..8]}.sock");
        var result = Ps.Run("""
            $l4 = Start-SocketListener -Port 0
            $l6 = Start-SocketListener -Port 0 -Address ::1
            $lu = Start-SocketListener -Path $args[0]
            (Connect-Socket "127.0.0.1:$($l4.LocalEndPoint.Port)" -Timeout 5).State
            (Connect-Socket "[::1]:$($l6.LocalEndPoint.Port)" -Timeout 5).State
            (Connect-Socket "localhost:$($l4.LocalEndPoint.Port)" -AddressFamily InterNetwork -Timeout 5).State
            (Connect-Socket "unix:$($args[0])" -Timeout 5).Protocol
            "$(Resolve-SocketAddress "127.0.0.1:$($l4.LocalEndPoint.Port)")" -eq "$($l4.LocalEndPoint)"
            """, path).Ok();
        Assert.Equal(new object?[] { "Connected", "Connected", "Connected", "Unix", true }, Normalize(result));

        var missing = Ps.Run("Connect-Socket 127.0.0.1");
        AssertError(missing, "PortMissingOrTwice", ErrorCategory.InvalidArgument, "ConnectSocketCommand");
        var twice = Ps.Run("Connect-Socket 127.0.0.1:80 81");
        Assert.Contains("has a port already", twice.OnlyError.ToString());
        var notAPort = Ps.Run("Connect-Socket db01:http");
        AssertError(notAPort, "InvalidArgument", ErrorCategory.InvalidArgument, "ConnectSocketCommand");
    }

    /// <summary>Output values with enums as their names and ints widened, so expectations read plainly.</summary>
    internal static object?[] Normalize(ScriptResult result) =>
        result.Values.Select(v => v switch
        {
            System.Enum e => e.ToString(),
            _ => v,
        }).ToArray();
}
