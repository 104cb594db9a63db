using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>
/// The stream under SslStream: the socket's own non-blocking calls, bounded by the deadline of the PsSockets
/// call under way, so a TLS receive or send times out and answers Ctrl+C like a plain one. It hands SslStream
/// one TLS record at a time: SslStream then never holds ciphertext that poll(2) cannot see, and Select-Socket
/// can tell when a TLS socket has something to read (<see cref="HasWholeRecord"/>).
/// </summary>
internal sealed class TlsTransport : Stream
{
    private const int HeaderSize = 5;
    private const int LargestRecord = HeaderSize + 16384 + 2048; // the most ciphertext one record may carry (RFC 8446 5.2)
    private readonly ITlsWire _wire;
    private byte[] _pending = new byte[64 * 1024];
    private int _start;
    private int _count;
    private int _recordLeft; // bytes of the record being handed out that SslStream has not had yet
    private bool _passThrough; // not TLS records after all (a legacy hello): hand out whatever came
    private bool _sawRecord;
    private bool _writing;

    public TlsTransport(ITlsWire wire) => _wire = wire;

    /// <summary>The time limit of the receive (or handshake) under way.</summary>
    public Deadline ReadDeadline { get; set; }

    /// <summary>The time limit of the send under way.</summary>
    public Deadline WriteDeadline { get; set; }

    /// <summary>True when a whole record (or, past the records, any byte) waits here: SslStream can read without the OS.</summary>
    public bool HasWholeRecord =>
        _passThrough ? _count > 0
        : _recordLeft > 0 ? _count >= _recordLeft
        : _count >= HeaderSize && (_count >= HeaderSize + RecordLength(_start) || !IsRecordHeader(_start)); // a bogus header: a receive reports it now

    /// <summary>Bytes read from the socket before TLS began (a client's hello that came with the STARTTLS command): they come first.</summary>
    public void Preload(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _pending.Length - _start - _count)
        {
            Array.Resize(ref _pending, _start + _count + bytes.Length + LargestRecord);
        }
        bytes.CopyTo(_pending.AsSpan(_start + _count));
        _count += bytes.Length;
    }

    /// <summary>Marks the sends that follow as the caller's (its deadline applies), until disposed.</summary>
    public WriteScope Writing(in Deadline deadline)
    {
        WriteDeadline = deadline;
        _writing = true;
        return new WriteScope(this);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_count == 0 && Fill() == 0)
        {
            return 0;
        }
        if (!_passThrough && _recordLeft == 0)
        {
            while (_count < HeaderSize && Fill() > 0)
            {
            }
            if (_count >= HeaderSize)
            {
                StartRecord();
            }
        }
        int n = Math.Min(buffer.Length, _count);
        if (!_passThrough && _recordLeft > 0)
        {
            n = Math.Min(n, _recordLeft);
            _recordLeft -= n;
        }
        _pending.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        _count -= n;
        if (_count == 0)
        {
            _start = 0;
        }
        return n;
    }

    public override void Write(ReadOnlySpan<byte> buffer) =>
        _wire.SendAll(buffer, _writing ? WriteDeadline : ReadDeadline); // SslStream may answer from within a read (a key update)

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    // The calls below complete before they return, so SslStream's async paths (the handshake) run on the caller's thread too.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>One receive from the socket into the free end of the buffer (waiting within the read deadline); 0 at the end of the stream.</summary>
    private int Fill()
    {
        if (_start > 0 && _start + _count == _pending.Length)
        {
            _pending.AsSpan(_start, _count).CopyTo(_pending);
            _start = 0;
        }
        int received = _wire.Receive(_pending.AsSpan(_start + _count), ReadDeadline);
        _count += received;
        return received;
    }

    private void StartRecord()
    {
        byte type = _pending[_start];
        int length = RecordLength(_start);
        bool isRecord = IsRecordHeader(_start);
        if (!isRecord && _sawRecord)
        {
            // SslStream would wait for all the bytes a bogus length claims; TLS allows no such record (record_overflow).
            throw new IOException($"The peer sent what is not a TLS record (type {type}, length {length}; TLS allows at most {LargestRecord - HeaderSize}).");
        }
        _sawRecord = isRecord;
        _passThrough = !isRecord; // the first bytes only: a legacy hello, or no TLS at all, for SslStream to judge
        _recordLeft = isRecord ? HeaderSize + length : 0;
    }

    private bool IsRecordHeader(int at) =>
        _pending[at] is >= 20 and <= 24 && _pending[at + 1] == 3 && HeaderSize + RecordLength(at) <= LargestRecord;

    private int RecordLength(int at) => (_pending[at + 3] << 8) | _pending[at + 4];

    public readonly struct WriteScope(TlsTransport transport) : IDisposable
    {
        public void Dispose() => transport._writing = false;
    }
}

/// <summary>The socket calls a TLS transport makes: the same waits and non-blocking calls as a plain receive and send.</summary>
internal interface ITlsWire
{
    /// <summary>One recv, after waiting for data within <paramref name="deadline"/>; 0 when the peer closed.</summary>
    int Receive(Span<byte> space, in Deadline deadline);

    /// <summary>Sends every byte, waiting for room within <paramref name="deadline"/>.</summary>
    void SendAll(ReadOnlySpan<byte> data, in Deadline deadline);
}
