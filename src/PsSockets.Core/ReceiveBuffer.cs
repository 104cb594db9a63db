using System;

namespace PsSockets;

/// <summary>
/// Bytes received from the OS and not yet handed out: what a framed receive read past its message
/// stays here for the next receive, whatever mode that one uses.
/// </summary>
internal sealed class ReceiveBuffer
{
    private const int MinimumRead = 64 * 1024;
    private const int MinimumFree = 4 * 1024; // less room than this after the buffered bytes: compact or grow rather than read a trickle
    private byte[] _bytes = Array.Empty<byte>();
    private int _start;
    private int _end;

    public int Count => _end - _start;

    /// <summary>The bytes held in memory, used or not.</summary>
    public int Capacity => _bytes.Length;

    public ReadOnlySpan<byte> Span => _bytes.AsSpan(_start, Count);

    public ReadOnlyMemory<byte> Memory => _bytes.AsMemory(_start, Count);

    /// <summary>
    /// Free space after the buffered bytes: at least <paramref name="sizeHint"/> bytes (a 64 KiB read when it
    /// must grow). A message that arrives in many small reads grows the buffer by doubling, not a new array
    /// per read, and never past <paramref name="capacityLimit"/> plus one read.
    /// </summary>
    public Memory<byte> GetWritable(int sizeHint, int capacityLimit = int.MaxValue)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_bytes.Length - _end >= Math.Max(needed, MinimumFree))
        {
            return _bytes.AsMemory(_end);
        }
        int wanted = Math.Max(sizeHint, MinimumRead);
        if (_start > 0 && _bytes.Length - Count >= wanted)
        {
            Buffer.BlockCopy(_bytes, _start, _bytes, 0, Count);
        }
        else
        {
            long doubled = Math.Min(2L * _bytes.Length, (long)capacityLimit + MinimumRead);
            var grown = new byte[Math.Min(Math.Max((long)Count + wanted, doubled), Array.MaxLength)];
            Buffer.BlockCopy(_bytes, _start, grown, 0, Count);
            _bytes = grown;
        }
        _end = Count;
        _start = 0;
        return _bytes.AsMemory(_end);
    }

    public void Commit(int count) => _end += count;

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
            if (_bytes.Length > 4 * MinimumRead)
            {
                _bytes = Array.Empty<byte>(); // a big message passed through: do not hold its memory
            }
        }
    }
}
