using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using CsCheck;
using Xunit;

namespace PsSockets.Core.Tests.Hostile;

/// <summary>
/// The real receive path (PsSocket.Receive over a connected socket pair) under hostile streams: messages in
/// every framing delivered one byte per send or in random sends, each part received as it arrives (a
/// receive that finds no whole message times out and keeps what it read); huge announced lengths; lines
/// that never end; invalid and split UTF-8. Every message comes out once, what follows the last one comes
/// out of the next receive, only SocketOperationException ever escapes, memory stays within
/// MaxMessageSize, and the socket goes on working after a refused message.
/// </summary>
public sealed class ReceivePathProperties
{
    private static readonly TimeSpan Now = TimeSpan.Zero;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Two connected unix stream sockets: a send on one is readable on the other when the send returns.</summary>
    private sealed class Pair : IDisposable
    {
        public Pair(SocketPairTransport transport = SocketPairTransport.Unix) => (Writer, Reader) = SocketPair.Create(transport, null, null);

        public PsSocket Writer { get; }

        public PsSocket Reader { get; }

        public void Send(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                bytes = bytes[Writer.Socket.Send(bytes)..];
            }
        }

        public void Dispose()
        {
            Writer.Close();
            Reader.Close();
        }
    }

    /// <summary>
    /// Every message that is whole now, receiving until one receive times out (it keeps what it read); with
    /// <paramref name="peekFirst"/>, each message is peeked first and must then be received the same.
    /// </summary>
    private static List<byte[]> Drain(PsSocket reader, Framing framing, int? limit = null, bool peekFirst = false)
    {
        var messages = new List<byte[]>();
        while (true)
        {
            try
            {
                byte[]? peeked = peekFirst ? reader.Receive(framing, peek: true, Now, default, PsSocket.AsBytes, limit) : null;
                messages.Add(reader.Receive(framing, peek: false, Now, default, PsSocket.AsBytes, limit));
                Assert.True(peeked is null || peeked.AsSpan().SequenceEqual(messages[^1]), "a peek saw another message than the receive after it");
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.OperationTimeout)
            {
                return messages;
            }
        }
    }

    /// <summary>After the peer shut down its side: the last messages, then the end of stream, then what was left.</summary>
    private static (List<byte[]> Messages, byte[] Left) Finish(PsSocket reader, Framing framing)
    {
        var messages = new List<byte[]>();
        while (true)
        {
            try
            {
                messages.Add(reader.Receive(framing, peek: false, Patience, default, PsSocket.AsBytes));
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.PeerClosed)
            {
                break;
            }
        }
        var left = reader.BytesBuffered > 0 ? reader.ReceiveAvailable(int.MaxValue, peek: false, Patience, default) : [];
        Assert.Equal(SocketFailure.PeerClosed, Assert.Throws<SocketOperationException>(() => reader.ReceiveAvailable(100, false, Patience, default)).Failure);
        return (messages, left);
    }

    [Fact]
    public void EveryMessageComesOutOnceSentAByteAtATimeOrInRandomSends()
    {
        Gen.Select(FramingProperties.Framed, Gen.Int[1, 40].Array[0, 12], Gen.Bool, Gen.Bool).Sample((framed, sizes, byteByByte, peekFirst) =>
        {
            var (kind, messages, tail) = framed;
            var stream = kind.Encode(messages).Concat(tail).ToArray();
            var (expected, rest) = kind.Decode(stream);
            using var pair = new Pair();
            var framing = kind.Create(int.MaxValue);
            var got = new List<byte[]>();
            int sent = 0;
            foreach (int size in byteByByte ? Enumerable.Repeat(1, stream.Length) : sizes.Append(stream.Length))
            {
                int n = Math.Min(size, stream.Length - sent);
                pair.Send(stream.AsSpan(sent, n));
                sent += n;
                got.AddRange(Drain(pair.Reader, framing, peekFirst: peekFirst));
            }
            Assert.Equal(expected, got); // each message as soon as it was whole
            Assert.Equal(rest.Length, pair.Reader.BytesBuffered);
            pair.Writer.Socket.Shutdown(SocketShutdown.Send);
            var (last, left) = Finish(pair.Reader, framing);
            var lastExpected = kind.AtEnd(rest);
            Assert.Equal(lastExpected is null ? [] : [lastExpected], last);
            Assert.Equal(lastExpected is null ? rest : [], left);
            Assert.Equal(stream.Length, pair.Reader.BytesReceived);
        }, iter: Runs.Of(300), threads: 1);
    }

    [Fact]
    public void EveryMessageComesOutOnceOverTcpLoopbackInRandomSends()
    {
        // Over TCP a send need not be readable the moment it returns: what a receive finds is up to the stack, and
        // every message must still come out once, in order, by the end of the stream.
        Gen.Select(FramingProperties.Framed, Gen.Int[1, 40].Array[0, 12]).Sample((framed, sizes) =>
        {
            var (kind, messages, tail) = framed;
            var stream = kind.Encode(messages).Concat(tail).ToArray();
            var (expected, rest) = kind.Decode(stream);
            if (kind.AtEnd(rest) is { } last)
            {
                expected.Add(last);
            }
            using var pair = new Pair(SocketPairTransport.Tcp);
            var framing = kind.Create(int.MaxValue);
            var got = new List<byte[]>();
            int sent = 0;
            foreach (int size in sizes.Append(stream.Length))
            {
                int n = Math.Min(size, stream.Length - sent);
                pair.Send(stream.AsSpan(sent, n));
                sent += n;
                got.AddRange(Drain(pair.Reader, framing));
            }
            pair.Writer.Socket.Shutdown(SocketShutdown.Send);
            var (end, left) = Finish(pair.Reader, framing);
            got.AddRange(end);
            Assert.Equal(expected, got);
            Assert.Equal(kind.AtEnd(rest) is null ? rest : [], left);
        }, iter: Runs.Of(100), threads: 1);
    }

    /// <summary>Prefixes of every width and order, lengths from just past the limit to the largest each holds.</summary>
    private static readonly Gen<(LengthPrefix Prefix, ulong Length)> HugeLength =
        Gen.Select(Gen.OneOf(1, 2, 4, 8), Gen.OneOf(LengthPrefixFormat.BigEndian, LengthPrefixFormat.LittleEndian, LengthPrefixFormat.AsciiDigits))
            .Select((size, format) => new LengthPrefix(format == LengthPrefixFormat.AsciiDigits ? size * 2 + 3 : size, format))
            .Where(p => p.MaxLength > Limit)
            .SelectMany(p => Gen.OneOf(Gen.Const(p.MaxLength), Gen.Const((ulong)Limit + 1), Gen.ULong[(ulong)Limit + 1, p.MaxLength],
                    Gen.Const(Math.Min(p.MaxLength, 0xFFFF_FFFFUL)), Gen.Const(Math.Min(p.MaxLength, 0x8000_0000UL)))
                .Select(length => (p, length)));

    private const int Limit = 1024 * 1024;

    [Fact]
    public void AHugeAnnouncedLengthIsRefusedWithoutAllocatingAndTheSocketGoesOn()
    {
        HugeLength.Sample((prefix, length) =>
        {
            using var pair = new Pair();
            pair.Reader.MaxMessageSize = Limit;
            var header = prefix.Write(length);
            pair.Send(header);
            pair.Send("some of it"u8);
            var framing = new LengthPrefixFraming(prefix, Limit, pair.Reader);

            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<SocketOperationException>(() => pair.Reader.Receive(framing, false, Patience, default, PsSocket.AsBytes));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(SocketFailure.MessageTooLarge, e.Failure);
            Assert.Same(pair.Reader, e.Target);
            Assert.InRange(allocated, 0, Limit / 4); // the 64 KiB read buffer and the error: nothing sized by the length
            Assert.InRange(pair.Reader.BufferCapacity, 0, Limit / 4);

            // Nothing was consumed: the refused prefix and what followed come out of the next receive, and then it goes on.
            Assert.Equal(header.Concat("some of it"u8.ToArray()), pair.Reader.Receive(new CountFraming(header.Length + 10), false, Patience, default, PsSocket.AsBytes));
            pair.Send(prefix.Write(2).Concat("ok"u8.ToArray()).ToArray());
            Assert.Equal("ok"u8.ToArray(), pair.Reader.Receive(framing, false, Patience, default, PsSocket.AsBytes));
            Assert.Equal(0, pair.Reader.BytesBuffered);
        }, iter: Runs.Of(300), threads: 1);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(0x7FFF_FFC8)] // one past the largest array
    public void ACountNoArrayCanHoldIsRefusedWithinTheLargestLimit(int count)
    {
        using var pair = new Pair();
        pair.Send("abc"u8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SocketOperationException>(() => pair.Reader.Receive(new CountFraming(count), false, Patience, default, PsSocket.AsBytes, maxMessageSize: int.MaxValue));
        Assert.Equal(SocketFailure.MessageTooLarge, e.Failure);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1024 * 1024);
        Assert.Equal("abc"u8.ToArray(), pair.Reader.ReceiveAvailable(10, false, Patience, default)); // nothing lost
    }

    [Fact]
    public void AnAsciiPrefixThatIsNotDigitsIsRefusedAndKept()
    {
        Gen.String[Gen.Char["-+ x.0123456789"], 5, 5].Where(t => !t.All(char.IsAsciiDigit)).Sample(text =>
        {
            using var pair = new Pair();
            var framing = new LengthPrefixFraming(new LengthPrefix(5, LengthPrefixFormat.AsciiDigits), 100, pair.Reader);
            pair.Send(Encoding.ASCII.GetBytes(text + "rest"));
            var e = Assert.Throws<SocketOperationException>(() => pair.Reader.Receive(framing, false, Patience, default, PsSocket.AsBytes));
            Assert.Equal(SocketFailure.InvalidLengthPrefix, e.Failure);
            Assert.Equal(text + "rest", Encoding.ASCII.GetString(pair.Reader.Receive(new CountFraming(9), false, Patience, default, PsSocket.AsBytes)));
        }, iter: Runs.Of(200), threads: 1);
    }

    [Fact]
    public void ALineThatNeverEndsIsRefusedAtTheLimitInMemoryOfTheLimit()
    {
        // A peer that drips a line with no end in small sends: each receive reads what has come and keeps it.
        Gen.Int[4 * 1024, 256 * 1024].SelectMany(limit => Gen.Select(Gen.Const(limit), Gen.Int[Math.Max(1, limit / 1000), 4096])).Sample((limit, drip) =>
        {
            using var pair = new Pair();
            var framing = new DelimiterFraming("\n"u8.ToArray(), null);
            var chunk = Enumerable.Repeat((byte)'x', drip).ToArray();
            long before = GC.GetAllocatedBytesForCurrentThread();
            SocketOperationException? refused = null;
            int sent = 0;
            while (refused is null)
            {
                pair.Send(chunk);
                sent += drip;
                try
                {
                    Assert.Empty(Drain(pair.Reader, framing, limit));
                }
                catch (SocketOperationException e)
                {
                    refused = e;
                }
                Assert.True(sent < limit + 2 * drip + 64 * 1024, $"{sent} bytes sent and no refusal (limit {limit})");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(SocketFailure.MessageTooLarge, refused.Failure);
            Assert.InRange(pair.Reader.BufferCapacity, limit, limit + 2 * 64 * 1024); // what it holds: the limit, and one read beyond
            Assert.InRange(allocated, 0, 4L * (limit + 64 * 1024) + sent / drip * 8192L); // growth that doubles, not a copy per read
            Assert.InRange(pair.Reader.BytesBuffered, limit, sent); // the bytes stay buffered, as the error says
            Assert.Equal(sent, Drain(pair.Reader, new AvailableFraming(int.MaxValue, null)).Sum(m => m.Length)); // every one of them
        }, iter: Runs.Of(30), threads: 1);
    }

    [Fact]
    public void TextSplitAnywhereDecodesAsTheWholeAndOnlyAnIncompleteCharacterWaits()
    {
        Gen.Select(FramingProperties.MostlyUtf8, Gen.Int[1, 9], Gen.Bool).Sample((bytes, max, byteByByte) =>
        {
            using var pair = new Pair();
            var text = new StringBuilder();
            void Take()
            {
                while (true)
                {
                    try
                    {
                        string piece = pair.Reader.ReceiveAvailableText(max, false, Now, default);
                        Assert.NotEmpty(piece);
                        text.Append(piece);
                    }
                    catch (SocketOperationException e) when (e.Failure == SocketFailure.OperationTimeout)
                    {
                        return;
                    }
                }
            }
            if (byteByByte)
            {
                foreach (byte b in bytes)
                {
                    pair.Send([b]);
                    Take();
                }
            }
            else
            {
                pair.Send(bytes);
                Take();
            }
            Assert.Equal(bytes.Length - FramingProperties.ReferenceBoundary(bytes), pair.Reader.BytesBuffered);
            pair.Writer.Socket.Shutdown(SocketShutdown.Send);
            try
            {
                text.Append(pair.Reader.ReceiveAvailableText(max, false, Patience, default)); // an incomplete last character, as U+FFFD
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.PeerClosed && bytes.Length == FramingProperties.ReferenceBoundary(bytes))
            {
            }
            Assert.Equal(PsSocket.DefaultEncoding.GetString(bytes), text.ToString());
        }, iter: Runs.Of(300), threads: 1);
    }
}
