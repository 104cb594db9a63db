using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Files and streams: Send-SocketData -Path (sendfile) and Receive-SocketData -OutFile, checked
/// by SHA-256 against python3's socket.sendfile and hashlib, in constant memory, with progress.
/// The big transfer is 1 GiB when PSSOCKETS_HEAVY_TESTS=1, 64 MiB otherwise.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class FileTransferTests(PsSession ps) : SocketTestBase(ps), IDisposable
{
    private static readonly TimeSpan PeerWait = TimeSpan.FromSeconds(120);
    private static readonly bool Heavy = Environment.GetEnvironmentVariable("PSSOCKETS_HEAVY_TESTS") == "1";
    private static readonly long BigSize = Heavy ? 1L << 30 : 64L << 20;

    // Allocation on the pipeline thread during a whole transfer: bounded, whatever the file's size.
    private const long FlatMemory = 8L << 20;

    private readonly string _dir = Directory.CreateTempSubdirectory("pssockets-files-").FullName;

    public void Dispose()
    {
        Ps.Run("Get-Socket | Close-Socket");
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void PathSendsAFileThatPythonHashesTheSame()
    {
        string file = WriteFile("sent.bin", 20L << 20);
        using var sink = PythonPeer.Listening("hash_sink_server.py");

        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            $before = [GC]::GetAllocatedBytesForCurrentThread()
            Send-SocketData $c -Path $args[1] -Timeout 30
            [GC]::GetAllocatedBytesForCurrentThread() - $before
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $c -Line -Timeout 60
            $c.BytesSent
            """, sink.Port, file).Ok();

        var values = result.Values.ToArray();
        Assert.InRange((long)values[0]!, 0, FlatMemory);
        Assert.Equal($"{20L << 20} {Sha256(file)}", values[1]);
        Assert.Equal(20L << 20, (long)values[2]!);
    }

    [Fact]
    public void WildcardsLiteralPathsAndFileInfosSendEachFileWhole()
    {
        string a = WriteFile("a[1].bin", 1000);
        string b = WriteFile("b1.bin", 3000);
        using var sink = PythonPeer.Listening("hash_sink_server.py");

        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            Send-SocketData $c -LiteralPath $args[1]                       # brackets taken as written
            Send-SocketData $c -Path ([IO.Path]::Combine($args[3], 'b?.bin'))
            [IO.FileInfo]::new($args[2]) | Send-SocketData $c              # a FileInfo is sent as its file
            Disconnect-Socket $c -Direction Send
            Receive-SocketData $c -Line -Timeout 30
            """, sink.Port, a, b, _dir).Ok();

        byte[] expected = [.. File.ReadAllBytes(a), .. File.ReadAllBytes(b), .. File.ReadAllBytes(b)];
        Assert.Equal($"{expected.Length} {Convert.ToHexStringLower(SHA256.HashData(expected))}", result.Single);
    }

    [Fact]
    public void OutFileReceivesWhatPythonSendfileSentAndLeavesTheRestBuffered()
    {
        string file = WriteFile("source.bin", 12L << 20);
        string copy = Path.Combine(_dir, "copy.bin");
        using var server = PythonPeer.Listening("file_server.py", file, "trailer line\nand the end");

        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            $before = [GC]::GetAllocatedBytesForCurrentThread()
            Receive-SocketData $c -Count $args[1] -OutFile $args[2] -Timeout 30
            [GC]::GetAllocatedBytesForCurrentThread() - $before
            Receive-SocketData $c -Line -Timeout 30                      # not one byte of it went to the file
            Receive-SocketData $c -ToEnd -OutFile $args[3] -Timeout 30 -PassThru | ForEach-Object Length
            Close-Socket $c
            """, server.Port, 12L << 20, copy, copy + ".tail").Ok();

        var values = result.Values.ToArray();
        Assert.InRange((long)values[0]!, 0, FlatMemory);
        Assert.Equal("trailer line", values[1]);
        Assert.Equal(11L, values[2]);
        Assert.Equal(Sha256(file), Sha256(copy));
        Assert.Equal("and the end", File.ReadAllText(copy + ".tail"));
        Assert.Equal($"SENT {(12L << 20) + 24}", server.ReadLine(PeerWait));
    }

    [Fact]
    public void ABigFileGoesFromPathToOutFileIntactInFlatMemory()
    {
        string file = WriteFile("big.bin", BigSize);
        string copy = Path.Combine(_dir, "big.copy");

        // The sender runs in a second runspace, as a second shell would.
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            $sender = [powershell]::Create([initialsessionstate]::CreateDefault2())
            $null = $sender.AddScript({
                param($module, $port, $path)
                Import-Module $module
                $c = Connect-Socket 127.0.0.1 $port -Timeout 5
                Send-SocketData $c -Path $path -Timeout 60
                Close-Socket $c
            }).AddArgument((Get-Module PsSockets).Path).AddArgument($l.LocalEndPoint.Port).AddArgument($args[0])
            $running = $sender.BeginInvoke()
            $s = Wait-SocketConnection $l -Timeout 10
            $before = [GC]::GetAllocatedBytesForCurrentThread()
            Receive-SocketData $s -ToEnd -OutFile $args[1] -Timeout 60
            [GC]::GetAllocatedBytesForCurrentThread() - $before
            $sender.EndInvoke($running)
            $sender.Streams.Error | ForEach-Object { "sender: $_" }
            $sender.Dispose()
            $s.BytesReceived
            """, file, copy).Ok();

        var values = result.Values.ToArray();
        Assert.Equal(2, values.Length);
        Assert.InRange((long)values[0]!, 0, FlatMemory);
        Assert.Equal(BigSize, (long)values[1]!);
        Assert.Equal(Sha256(file), Sha256(copy));
    }

    [Fact]
    public void TransfersOverAFewMiBShowProgressWithBytesAndRate()
    {
        string file = WriteFile("progress.bin", 24L << 20);
        using var sink = PythonPeer.Listening("hash_sink_server.py");

        var result = Ps.Run("""
            $c = Connect-Socket 127.0.0.1 $args[0] -Timeout 5
            Send-SocketData $c -Path $args[1]
            """, sink.Port, file).Ok();
        var small = WithPair("Send-SocketData $c ([byte[]]::new(1MB)); Receive-SocketData $s -Count 1MB -AsByteArray -OutVariable x | ForEach-Object Length").Ok();

        var records = result.Progress;
        Assert.NotEmpty(records);
        Assert.Equal(ProgressRecordType.Completed, records[^1].RecordType);
        var shown = records.Where(r => r.RecordType == ProgressRecordType.Processing).ToList();
        Assert.NotEmpty(shown);
        Assert.All(shown, r => Assert.Matches(@"^[\d.]+ (B|KiB|MiB) of 24.0 MiB at [\d.]+ (B|KiB|MiB|GiB)/s$", r.StatusDescription));
        Assert.All(shown, r => Assert.InRange(r.PercentComplete, 0, 100));
        Assert.Contains(file, records[0].Activity);
        Assert.Equal(1 << 20, small.Single);
        Assert.Empty(small.Progress);   // 1 MiB: too small to bother anyone with a bar
    }

    [Fact]
    public void APeerThatClosesEarlyLeavesWhatArrivedInTheFileAndSaysSo()
    {
        string copy = Path.Combine(_dir, "partial.bin");
        var result = WithPair("""
            Send-SocketData $c ([byte[]](1..100))
            Close-Socket $c
            Receive-SocketData $s -Count 1000 -OutFile $args[0] -Timeout 10
            """, copy);

        AssertError(result, "PeerClosed", ErrorCategory.ConnectionError, "ReceiveSocketDataCommand");
        Assert.Contains("The 100 bytes that did arrive were written out", result.OnlyError.ToString());
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (byte)i), File.ReadAllBytes(copy));
    }

    [Fact]
    public void AStalledOutFileTimesOutAndTheNextReceiveGetsTheRest()
    {
        string copy = Path.Combine(_dir, "stalled.bin");
        var result = WithPair("""
            Send-SocketData $c "12345"
            Receive-SocketData $s -Count 10 -OutFile $args[0] -Timeout 0.3
            Send-SocketData $c "67890abc"
            Receive-SocketData $s -Count 8 -Timeout 5
            """, copy);

        Assert.Contains("By then 5 bytes had been received and written out", result.OnlyError.ToString());
        Assert.Equal("67890abc", result.Single);
        Assert.Equal("12345", File.ReadAllText(copy));
    }

    [Fact]
    public void FileArgumentsFailClearly()
    {
        var missing = WithPair("Send-SocketData $c -Path ([IO.Path]::Combine($args[0], 'nothing-here.bin'))", _dir);
        Assert.StartsWith("FileNotFound,", missing.Exception is ActionPreferenceStopException or null
            ? missing.OnlyError.FullyQualifiedErrorId
            : ((IContainsErrorRecord)missing.Exception).ErrorRecord.FullyQualifiedErrorId);

        var together = WithPair("Receive-SocketData $s -ToEnd -OutFile ([IO.Path]::Combine($args[0], 'x')) -AsByteArray", _dir);
        Assert.Contains("OutFileWithOutputOption", together.Describe());

        var notFileSystem = WithPair("Receive-SocketData $s -ToEnd -OutFile 'Variable:\\x'");
        Assert.Contains("NotAFileSystemPath", notFileSystem.Describe());

        var passThruAlone = WithPair("Receive-SocketData $s -Count 1 -PassThru");
        Assert.Contains("PassThruWithoutOutFile", passThruAlone.Describe());

        var outFileAlone = Ps.Run("Receive-SocketData $s -OutFile ([IO.Path]::Combine($args[0], 'y'))", _dir);
        Assert.Contains("AmbiguousParameterSet", outFileAlone.Describe());
        Assert.False(File.Exists(Path.Combine(_dir, "y")));
    }

    private string WriteFile(string name, long size)
    {
        // Every MiB differs (its index is in it), so a block sent twice or out of order shows in the hash.
        string path = Path.Combine(_dir, name);
        var block = new byte[Math.Min(size, 1 << 20)];
        new Random(42).NextBytes(block);
        using var file = File.Create(path);
        for (long written = 0, index = 0; written < size; index++)
        {
            BitConverter.TryWriteBytes(block, index);
            int n = (int)Math.Min(block.Length, size - written);
            file.Write(block, 0, n);
            written += n;
        }
        return path;
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
