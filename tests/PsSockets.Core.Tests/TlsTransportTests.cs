using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>
/// The stream under SslStream hands out one TLS record at a time, whatever the OS delivered at once, so that
/// a record behind the one being read stays where Select-Socket can see it.
/// </summary>
public sealed class TlsTransportTests
{
    /// <summary>A wire that delivers what the test queued, one chunk per receive, as the OS would.</summary>
    private sealed class QueuedWire : ITlsWire
    {
        public Queue<byte[]> Chunks { get; } = new();

        public int Receives { get; private set; }

        public int Receive(Span<byte> space, in Deadline deadline)
        {
            Receives++;
            if (Chunks.Count == 0)
            {
                return 0; // the end of the stream
            }
            var chunk = Chunks.Dequeue();
            chunk.CopyTo(space);
            return chunk.Length;
        }

        public void SendAll(ReadOnlySpan<byte> data, in Deadline deadline)
        {
        }
    }

    private static byte[] Record(byte type, int length, byte fill) =>
        [type, 3, 3, (byte)(length >> 8), (byte)length, .. Enumerable.Repeat(fill, length)];

    private static byte[] ReadAll(TlsTransport transport, int want)
    {
        var got = new List<byte>();
        var buffer = new byte[want];
        while (got.Count < want)
        {
            int n = transport.Read(buffer.AsSpan(0, want - got.Count));
            Assert.NotEqual(0, n);
            got.AddRange(buffer.Take(n));
        }
        return [.. got];
    }

    [Fact]
    public void TwoRecordsThatCameTogetherAreHandedOutOneAtATime()
    {
        var wire = new QueuedWire();
        byte[] first = Record(23, 300, 1), second = Record(23, 200, 2);
        wire.Chunks.Enqueue([.. first, .. second]);
        var transport = new TlsTransport(wire) { ReadDeadline = Deadline.Start(null, CancellationToken.None) };

        var buffer = new byte[4096];
        int n = transport.Read(buffer);

        Assert.Equal(first.Length, n);
        Assert.Equal(first, buffer[..n]);
        Assert.True(transport.HasWholeRecord); // the second waits here, visible
        Assert.Equal(second, ReadAll(transport, second.Length));
        Assert.False(transport.HasWholeRecord);
        Assert.Equal(1, wire.Receives);
    }

    [Fact]
    public void ARecordSplitAcrossReceivesIsWholeOnlyOnceItAllCame()
    {
        var wire = new QueuedWire();
        byte[] record = Record(23, 1000, 7);
        wire.Chunks.Enqueue(record[..3]);   // not even a whole header
        wire.Chunks.Enqueue(record[3..600]);
        wire.Chunks.Enqueue([.. record[600..], .. Record(21, 2, 9)[..4]]);
        var transport = new TlsTransport(wire) { ReadDeadline = Deadline.Start(null, CancellationToken.None) };

        Assert.Equal(record, ReadAll(transport, record.Length));
        Assert.False(transport.HasWholeRecord); // four bytes of the next header are no record yet
    }

    [Fact]
    public void BytesThatAreNotTlsRecordsPassThrough()
    {
        var wire = new QueuedWire();
        byte[] plain = "GET / HTTP/1.0\r\n\r\n"u8.ToArray();
        wire.Chunks.Enqueue(plain);
        var transport = new TlsTransport(wire) { ReadDeadline = Deadline.Start(null, CancellationToken.None) };

        var buffer = new byte[100];
        int n = transport.Read(buffer);

        Assert.Equal(plain, buffer[..n]); // SslStream then says it is not TLS
    }

    [Fact]
    public void PreloadedBytesComeFirstAndAnyAmountFits()
    {
        var wire = new QueuedWire();
        byte[] big = Record(22, 16_000, 3);
        var preload = Enumerable.Repeat(big, 6).SelectMany(r => r).ToArray(); // more than the transport's buffer
        var transport = new TlsTransport(wire) { ReadDeadline = Deadline.Start(null, CancellationToken.None) };

        transport.Preload(preload);

        Assert.True(transport.HasWholeRecord);
        Assert.Equal(preload, ReadAll(transport, preload.Length));
        Assert.Equal(0, wire.Receives);
    }

    [Fact]
    public void AHeaderPastTheFirstRecordThatIsNoRecordIsAnErrorAtOnce()
    {
        var wire = new QueuedWire();
        wire.Chunks.Enqueue([.. Record(23, 10, 1), 23, 3, 3, 0xFF, 0xFF, 0, 0]);
        var transport = new TlsTransport(wire) { ReadDeadline = Deadline.Start(null, CancellationToken.None) };
        var buffer = new byte[4096];

        Assert.Equal(15, transport.Read(buffer));
        var error = Assert.Throws<System.IO.IOException>(() => transport.Read(buffer));
        Assert.Contains("length 65535", error.Message);
    }
}
