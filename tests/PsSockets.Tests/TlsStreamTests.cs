using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Sending and receiving over TLS, unchanged: every framing, files, time limits, select, shutdown, against python3's ssl module.</summary>
public sealed class TlsStreamTests(PsSession ps) : SocketTestBase(ps)
{
    private static TestCertificates Certs => TestCertificates.Shared;

    private PythonPeer Server(string mode, params string[] args) =>
        PythonPeer.Listening("tls_peer.py", ["server", mode, "0", Certs.Good.CertPem, Certs.Good.KeyPem, .. args]);

    private const string Connect = "$t = Connect-Socket localhost $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10\n";

    [Fact]
    public void EveryFramingModeWorksOverTls()
    {
        using var server = Server("raw-echo");

        var result = Ps.Run(Connect + """
            Send-SocketData $t "five!"; Receive-SocketData $t -Count 5 -Timeout 10
            "one`n", "two`n" | Send-SocketData $t
            Receive-SocketData $t -Line -Timeout 10; Receive-SocketData $t -Line -Timeout 10
            Send-SocketData $t "a|b|" ; Receive-SocketData $t -Delimiter '|' -Timeout 10; Receive-SocketData $t -Delimiter '|' -Peek -Timeout 10; Receive-SocketData $t -Delimiter '|' -Timeout 10
            Send-SocketData $t ([byte[]](1..200)) -LengthPrefix 4; (Receive-SocketData $t -LengthPrefix 4 -AsByteArray -Timeout 10).Length
            Invoke-SocketRequest $t "ping" -Line -Timeout 10
            Send-SocketData $t "é€" ; Receive-SocketData $t -Count 5 -Timeout 10
            Send-SocketData $t "the end"; Disconnect-Socket $t -Direction Send
            Receive-SocketData $t -ToEnd -Timeout 10
            $t.BytesSent; $t.BytesReceived; $t.State.ToString()
            """, server.Port, Certs.CaPem).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(["five!", "one", "two", "a", "b", "b", "200", "ping", "é€", "the end"], result.Take(10));
        int sent = 5 + 8 + 4 + 204 + 5 + 5 + 7;
        Assert.Equal(sent.ToString(), result[10]);
        Assert.Equal(sent.ToString(), result[11]);
        Assert.Equal("Shutdown", result[12]);
        Assert.Equal($"EOF {sent}", server.ReadLine(Seconds(10))); // our close_notify ended python's reading
    }

    [Fact]
    public void AHundredMebibytesArriveIntactIntoAFile()
    {
        using var server = Server("source", (100 << 20).ToString());
        string file = Path.Combine(Path.GetTempPath(), $"pssockets-tls-{Guid.NewGuid():N}");
        try
        {
            var result = Ps.Run(Connect + """
                Receive-SocketData $t -ToEnd -OutFile $args[2] -Timeout 30 -PassThru | ForEach-Object Length
                """, server.Port, Certs.CaPem, file).Ok();

            string[] sent = server.ReadLine(Seconds(60)).Split(' ');
            Assert.Equal((100L << 20).ToString(), sent[1]);
            Assert.Equal(100L << 20, new FileInfo(file).Length);
            using var stream = File.OpenRead(file);
            Assert.Equal(sent[2], Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant());
            Assert.NotNull(result);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AHundredMebibyteFileLeavesIntact()
    {
        using var server = Server("sink");
        string file = Path.Combine(Path.GetTempPath(), $"pssockets-tls-{Guid.NewGuid():N}");
        var bytes = new byte[100 << 20];
        new Random(11).NextBytes(bytes);
        File.WriteAllBytes(file, bytes);
        try
        {
            Ps.Run(Connect + "Send-SocketData $t -Path $args[2] -Timeout 30; Close-Socket $t", server.Port, Certs.CaPem, file).Ok();

            Assert.Equal($"GOT {bytes.Length} {Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant()}", server.ReadLine(Seconds(60)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void SelectSeesARecordThatArrivedBehindTheOneJustRead()
    {
        using var server = Server("two-records");

        var result = Ps.Run(Connect + """
            Receive-SocketData $t -Line -Timeout 10
            # Both records came together; the second must not hide inside the TLS layer where poll(2) cannot see it.
            (Select-Socket -Read $t -Timeout 10).Read -contains $t
            Receive-SocketData $t -Line -Timeout 0
            Send-SocketData $t "done`n"
            """, server.Port, Certs.CaPem).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(["first", "True", "second"], result);
        Assert.Equal("SAID done", server.ReadLine(Seconds(10)));
    }

    [Fact]
    public void ATimedOutReceiveLosesNothingAndTheSessionGoesOn()
    {
        using var server = Server("raw-echo");

        var result = Ps.Run(Connect + """
            Receive-SocketData $t -Line -Timeout 0.2
            $t.State.ToString()
            Send-SocketData $t "still here`n"; Receive-SocketData $t -Line -Timeout 10
            """, server.Port, Certs.CaPem);

        Assert.Equal("OperationTimeout,PsSockets.Commands.ReceiveSocketDataCommand", result.OnlyError.FullyQualifiedErrorId);
        Assert.Equal(["Connected", "still here"], result.Values.Select(v => v?.ToString()));
    }

    [Fact]
    public void ANonBlockingTlsSocketReturnsNothingWhenNothingCame()
    {
        using var server = Server("raw-echo");

        var result = Ps.Run("""
            $n = New-Socket -NonBlocking
            $t = Connect-Socket -Socket $n localhost $args[0] -Tls -CertificateAuthority $args[1] -Timeout 10
            @(Receive-SocketData $t).Count
            Send-SocketData $t "x`n" -Timeout 10
            Receive-SocketData $t -Line -Timeout 10
            """, server.Port, Certs.CaPem).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(["0", "x"], result);
    }

    [Fact]
    public void AResetUnderTlsIsConnectionReset()
    {
        using var server = Server("reset");

        var result = Ps.Run(Connect + """
            Receive-SocketData $t -Line -Timeout 10
            Send-SocketData $t "go`n"
            Receive-SocketData $t -Timeout 10
            """, server.Port, Certs.CaPem);

        Assert.Equal("bye", result.Values.Single());
        AssertError(result, "ConnectionReset", ErrorCategory.ConnectionError, "ReceiveSocketDataCommand");
    }

    [Fact]
    public void StartTlsUpgradesAPlainConversation()
    {
        using var server = Server("starttls");

        var result = Ps.Run("""
            $p = Connect-Socket 127.0.0.1 $args[0] -Timeout 10
            Invoke-SocketRequest $p "STARTTLS`n" -Line -Timeout 10
            $same = Connect-Socket -Socket $p -Tls -ServerName localhost -CertificateAuthority $args[1] -Timeout 10
            [object]::ReferenceEquals($same, $p); $p.Tls.Protocol.ToString()
            Invoke-SocketRequest $p "secret`n" -Line -Timeout 10
            """, server.Port, Certs.CaPem).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(["OK", "True", "Tls13", "secret"], result);
        Assert.Equal("TLS TLSv1.3", server.ReadLine(Seconds(10)));
    }

    [Fact]
    public void AHandshakeWithASilentServerTimesOutOrStopsPromptly()
    {
        var timedOut = Ps.Run("""
            $l = Start-SocketListener -Port 0
            Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Tls -Timeout 0.5
            @(Get-Socket).Count
            """);
        AssertError(timedOut, "OperationTimeout", ErrorCategory.OperationTimeout, "ConnectSocketCommand");
        Assert.Equal(1, timedOut.Single); // the listener; the client it made was closed

        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            Ps.Set("silentPort", ((System.Net.IPEndPoint)silent.LocalEndpoint).Port);
            var stopped = Ps.RunAndStop("$ready.Set(); Connect-Socket 127.0.0.1 $silentPort -Tls", stopWhen: silent.Pending);
            AssertStoppedPromptly(stopped);
            Assert.Equal(1, Ps.Run("@(Get-Socket).Count").Single); // the client it made was closed
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public void ClosingFromAnotherRunspaceEndsATlsReceiveWithSocketClosed()
    {
        using var server = Server("raw-echo");

        var result = Ps.Run(Connect + """
            $rs = [runspacefactory]::CreateRunspace([System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
            $rs.Open()
            $other = [powershell]::Create($rs).AddScript('param($m, $t) Import-Module $m; Receive-SocketData $t -Timeout 20').AddArgument((Get-Module PsSockets).Path).AddArgument($t)
            $pending = $other.BeginInvoke()
            $turn = $t.GetType().GetField('_receiveTurn', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($t)
            $until = [DateTime]::UtcNow.AddSeconds(20)
            while ($turn.CurrentCount -ne 0 -and [DateTime]::UtcNow -lt $until) { [Threading.Thread]::Yield() | Out-Null }   # the receive is under way
            $watch = [Diagnostics.Stopwatch]::StartNew()
            Close-Socket $t
            $null = $other.EndInvoke($pending)
            $watch.Elapsed.TotalSeconds -lt 5
            $other.Streams.Error | ForEach-Object { $_.FullyQualifiedErrorId }
            $other.Dispose(); $rs.Dispose()
            """, server.Port, Certs.CaPem).Ok().Values.Select(v => v?.ToString()).ToList();

        Assert.Equal(["True", "SocketClosed,PsSockets.Commands.ReceiveSocketDataCommand"], result);
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("huge")]
    public void ACorruptRecordIsATlsErrorAndTheSocketIsDoneWithTls(string kind)
    {
        using var server = Server("garbage", kind);

        var result = Ps.Run(Connect + """
            Receive-SocketData $t -Line -Timeout 10
            Send-SocketData $t "go`n"
            Receive-SocketData $t -Line -Timeout 10
            $t.State.ToString()
            Send-SocketData $t "more`n"
            Close-Socket $t
            """, server.Port, Certs.CaPem);

        Assert.Equal(["ok", "Failed"], result.Values.Select(v => v?.ToString()));
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal("TlsFailed,PsSockets.Commands.ReceiveSocketDataCommand", result.Errors[0].FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ProtocolError, result.Errors[0].CategoryInfo.Category);
        Assert.Contains("its TLS session failed", result.Errors[0].Exception.Message);
        Assert.Contains("it failed earlier", result.Errors[1].Exception.Message); // nothing more goes through a broken session
    }
}
