using System;

namespace PsSockets.Commands;

/// <summary>
/// What -Debug shows of the bytes a call moved: the first <see cref="MaxBytes"/> as hexdump -C shows them, so a large
/// transfer never floods the debug stream. Nothing else in the module ever writes payload bytes to a stream.
/// </summary>
internal static class PayloadDump
{
    public const int MaxBytes = 256;

    public static string Of(string call, ReadOnlySpan<byte> payload)
    {
        var shown = payload[..Math.Min(payload.Length, MaxBytes)];
        string what = shown.Length < payload.Length ? $"the first {shown.Length} of {payload.Length} bytes" : $"{payload.Length} bytes";
        return shown.IsEmpty ? $"{call}: no bytes" : $"{call}: {what}\n{string.Join('\n', HexDump.Lines(shown))}";
    }
}
