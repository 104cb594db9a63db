using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Nothing logs payloads unless asked (issue 9, part 4): -Verbose names each transfer with its sizes
/// (<c>send(#3, 16 bytes) -> 16</c>, <c>recv(#4, 65536) -> 0 (peer closed)</c>) and never the bytes; -Debug shows
/// the first 256 bytes as hexdump -C does; and no error, warning or verbose text ever holds a piece of the
/// payload, also when the payload is what failed (a framing error, a cut datagram, a TLS handshake over plain text).
/// </summary>
public sealed class PayloadLoggingTests : SocketTestBase
{
    // Sixteen characters no message of the module could hold by chance.
    private const string Secret = "Zq7xPw3mKv9sJt2R";

    // The tests set preferences in the session's global scope; each starts from the defaults.
    public PayloadLoggingTests(PsSession ps)
        : base(ps) => Ps.Run("$VerbosePreference = $DebugPreference = 'SilentlyContinue'").Ok();

    [Fact]
    public void VerboseShowsEachTransferBySizeAndNeverItsBytes()
    {
        string file = Path.Combine(Path.GetTempPath(), $"pssockets-secret-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, Secret);
        try
        {
            var result = WithPair("""
                $secret = $args[0]; $file = $args[1]
                Send-SocketData $c $secret -Verbose
                Receive-SocketData $s -Count 16 -Verbose
                Send-SocketData $c $secret -Line -Verbose
                Receive-SocketData $s -Line -Verbose
                Send-SocketData $c $secret -LengthPrefix 4 -Verbose
                [Text.Encoding]::ASCII.GetString((Receive-SocketData $s -LengthPrefix 4 -AsByteArray -Verbose))
                Send-SocketData $c $secret
                Receive-SocketData $s -Peek -Verbose
                ((Receive-SocketData $s -AsHexDump -Verbose) -join "`n") -like "*$($secret.Substring(0, 8))*"
                $VerbosePreference = 'Continue'                      # the preference counts as -Verbose does
                Send-SocketData $c -Path $file
                Receive-SocketData $s -Count 16 -OutFile "$file.out"
                [IO.File]::ReadAllText("$file.out")
                $VerbosePreference = 'SilentlyContinue'
                Send-SocketData $c $secret -Verbose:$false           # and -Verbose:$false silences it
                Receive-SocketData $s -Count 16
                Close-Socket $c
                Receive-SocketData $s -ToEnd -Verbose
                try { Receive-SocketData $s -Verbose -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
                $u = Start-SocketListener -Port 0 -Datagram
                $d = New-Socket -Type Dgram
                Send-SocketData $d $secret -To "127.0.0.1:$($u.LocalEndPoint.Port)" -Verbose
                (Receive-SocketData $u -Verbose).Text
                """,
                Secret, file).Ok();

            Assert.Equal(new object?[]
            {
                Secret, Secret, Secret, Secret, true, Secret, Secret, "",
                "PeerClosed,PsSockets.Commands.ReceiveSocketDataCommand", Secret,
            }, result.Values);
            // Ids come from one process-wide counter: a test class running alongside may take one between these.
            var ids = Ps.Run("$c.Id, $s.Id, $u.Id, $d.Id").Ok().Values.Cast<int>().ToArray();
            int c = ids[0], s = ids[1], u = ids[2], d = ids[3];
            Assert.Equal(new[]
            {
                $"send(#{c}, 16 bytes) -> 16",
                $"recv(#{s}, 16 bytes) -> 16",
                $"send(#{c}, 17 bytes) -> 17",
                $"recv(#{s}, a line) -> 16 bytes",
                $"send(#{c}, 20 bytes) -> 20",
                $"recv(#{s}, a message with a 4-byte BigEndian length prefix) -> 16 bytes",
                $"recv(#{s}, 65536, MSG_PEEK) -> 16",
                $"recv(#{s}, 65536) -> 16",
                $"send(#{c}, file {file}) -> 16",
                $"recv(#{s}, 16 bytes into {file}.out) -> 16",
                $"recv(#{s}, data up to the end of the stream) -> 0 bytes",
                $"recv(#{s}, 65536) -> 0 (peer closed)",
            }, result.Verbose.Where(v => !v.StartsWith("sendto", StringComparison.Ordinal) && !v.StartsWith("recvfrom", StringComparison.Ordinal)));
            Assert.Contains(result.Verbose, v => v.StartsWith($"sendto(#{d}, 16 bytes, 127.0.0.1:", StringComparison.Ordinal) && v.EndsWith(") -> 16", StringComparison.Ordinal));
            Assert.Contains(result.Verbose, v => v.StartsWith($"recvfrom(#{u}, a datagram) -> 16 from 127.0.0.1:", StringComparison.Ordinal));
            AssertNoPiece(result.Verbose);
            Assert.Empty(result.Debug);
        }
        finally
        {
            File.Delete(file);
            File.Delete(file + ".out");
        }
    }

    [Fact]
    public void InvokeSocketRequestAndRelaysTellSizesOnly()
    {
        var result = Ps.Run("""
            $secret = $args[0]
            $srv = Start-SocketListener -Port 0 -Handler { param($c) Receive-SocketData $c -Line | Send-SocketData $c -Line }
            $r = Start-SocketRelay 0 "127.0.0.1:$($srv.LocalEndPoint.Port)" -Verbose
            $c = Connect-Socket 127.0.0.1 $r.ListenEndPoint.Port -Timeout 5
            Invoke-SocketRequest $c $secret -Timeout 5 -Verbose
            Close-Socket $c
            Stop-SocketRelay $r -Verbose
            Stop-SocketServer $srv
            """, Secret).Ok();

        Assert.Equal(Secret, result.Single);
        Assert.Contains(result.Verbose, v => v.EndsWith(", 17 bytes) -> 17", StringComparison.Ordinal) && v.StartsWith("send(#", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v => v.EndsWith(", a line) -> 16 bytes", StringComparison.Ordinal) && v.StartsWith("recv(#", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v => v.StartsWith("Stopped relay", StringComparison.Ordinal) && v.Contains("17 bytes up, 17 bytes down", StringComparison.Ordinal));
        AssertNoPiece(result.Verbose);
    }

    [Fact]
    public void DebugShowsTheFirstBytesAsAHexDumpAndNoMore()
    {
        var result = WithPair("""
            $secret = $args[0]
            Send-SocketData $c $secret -Debug
            $null = Receive-SocketData $s -Count 16 -Debug
            $DebugPreference = 'Continue'
            Send-SocketData $c ([byte[]]::new(300))
            $DebugPreference = 'SilentlyContinue'
            $null = Receive-SocketData $s -Count 300 -AsByteArray -Timeout 10
            """, Secret).Ok();

        Assert.Equal(3, result.Debug.Count);
        Assert.Empty(result.Verbose); // -Debug alone asks for the bytes, not for the verbose lines
        string hex = "5a 71 37 78 50 77 33 6d  4b 76 39 73 4a 74 32 52  |" + Secret + "|";
        Assert.Matches($@"^send\(#\d+\): 16 bytes\n00000000  {System.Text.RegularExpressions.Regex.Escape(hex)}\n00000010$", result.Debug[0]);
        Assert.Matches($@"^recv\(#\d+\): 16 bytes\n00000000  {System.Text.RegularExpressions.Regex.Escape(hex)}\n00000010$", result.Debug[1]);
        var big = result.Debug[2].Split('\n');
        Assert.Matches(@"^send\(#\d+\): the first 256 of 300 bytes$", big[0]);
        Assert.Equal(1 + 16 + 1, big.Length); // 256 bytes are 16 lines, then the length line
        Assert.Equal("00000100", big[^1]);
    }

    [Fact]
    public void FailuresOverAPayloadNeverRepeatIt()
    {
        var result = WithPair("""
            $secret = $args[0]
            $VerbosePreference = 'Continue'
            Send-SocketData $c $secret
            Receive-SocketData $s -LengthPrefix 5 -LengthPrefixFormat AsciiDigits -Timeout 5    # the secret where digits should be
            Receive-SocketData $s -Line -MaxMessageSize 8 -Timeout 5                             # a line longer than allowed
            Receive-SocketData $s -Delimiter '!' -Timeout 0.2                                    # a delimiter that never comes
            $null = Receive-SocketData $s -Count 16
            Send-SocketData $c $secret.Substring(0, 10)
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $s -Count 16 -Timeout 5                                           # the peer closes mid-message
            $u = Start-SocketListener -Port 0 -Datagram
            $d = New-Socket -Type Dgram
            Send-SocketData $d $secret -To "127.0.0.1:$($u.LocalEndPoint.Port)"
            Receive-SocketData $u -BufferSize 8 -Timeout 5                                       # a datagram cut short
            $plain = Start-SocketListener -Port 0                                                # a TLS client meets plain text
            $t = Connect-Socket 127.0.0.1 $plain.LocalEndPoint.Port -Timeout 5
            $tp = Wait-SocketConnection $plain -Timeout 5
            Send-SocketData $tp ($secret * 8)
            Protect-Socket $t -Timeout 5
            $tls = Start-SocketListener -Port 0 -SelfSignedCertificate                           # a TLS server meets plain text
            $p = Connect-Socket 127.0.0.1 $tls.LocalEndPoint.Port -Timeout 5
            Send-SocketData $p ($secret * 8)
            Wait-SocketConnection $tls -Timeout 5
            $hs = Start-SocketListener -Port 0 -SelfSignedCertificate -Handler { param($c) Send-SocketData $c $args[0] } -ArgumentList $secret
            $v = Connect-Socket localhost $hs.LocalEndPoint.Port -Tls -Timeout 5                 # an untrusted certificate, refused
            """, Secret);

        Assert.Equal(
            [
                "InvalidLengthPrefix", "MessageTooLarge", "OperationTimeout", "PeerClosed", "DatagramTruncated",
                "TlsHandshakeFailed", "TlsHandshakeFailed", "CertificateInvalid",
            ],
            result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        AssertNoPiece(result.Errors.SelectMany(e => new[]
        {
            e.ToString(), e.Exception.ToString(), e.CategoryInfo.ToString(), e.CategoryInfo.TargetName, e.ErrorDetails?.Message ?? "",
            e.Exception.InnerException?.Message ?? "",
        }));
        AssertNoPiece(result.Verbose);
        AssertNoPiece(result.Warnings);
        Assert.Contains("Receive-SocketData -Peek -AsHexDump shows what came", result.Errors[0].ToString(), StringComparison.Ordinal);
        Assert.Matches(@"^a datagram of 16 bytes from 127\.0\.0\.1:\d+$", result.Errors[4].CategoryInfo.TargetName);
    }

    /// <summary>No five characters of the secret in a row, in any of <paramref name="texts"/>.</summary>
    private static void AssertNoPiece(IEnumerable<string> texts)
    {
        foreach (string text in texts)
        {
            for (int i = 0; i + 5 <= Secret.Length; i++)
            {
                Assert.False(text.Contains(Secret.Substring(i, 5), StringComparison.Ordinal), $"A piece of the payload ('{Secret.Substring(i, 5)}') is in: {text}");
            }
        }
    }
}
