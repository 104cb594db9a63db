using System;

namespace PsSockets;

/// <summary>Finds where the last whole UTF-8 character ends, so a character split across two reads is decoded once whole.</summary>
internal static class Utf8Boundary
{
    /// <summary>
    /// The longest prefix of <paramref name="bytes"/> that ends on a character boundary in
    /// <paramref name="encoding"/>: UTF-8 by its lead bytes, UTF-16 on a whole code unit that is not
    /// a high surrogate, UTF-32 on a multiple of four; single-byte encodings anywhere.
    /// </summary>
    public static int CompletePrefixLength(System.Text.Encoding encoding, ReadOnlySpan<byte> bytes)
    {
        switch (encoding.CodePage)
        {
            case 65001:
                return CompletePrefixLength(bytes);
            case 1200 or 1201:
                int whole = bytes.Length & ~1;
                if (whole >= 2)
                {
                    int unit = encoding.CodePage == 1200 ? bytes[whole - 2] | bytes[whole - 1] << 8 : bytes[whole - 2] << 8 | bytes[whole - 1];
                    if (unit is >= 0xD800 and <= 0xDBFF)
                    {
                        whole -= 2; // a high surrogate waits for its low half
                    }
                }
                return whole;
            case 12000 or 12001:
                return bytes.Length & ~3;
            default:
                return bytes.Length;
        }
    }

    /// <summary>
    /// The length of the longest prefix that does not end inside a multi-byte sequence. Invalid
    /// bytes count as whole (they decode to U+FFFD); only a valid but incomplete tail is held back:
    /// F0 9F 98 waits for its last byte, F0 80 never could be a character and is not held.
    /// </summary>
    public static int CompletePrefixLength(ReadOnlySpan<byte> bytes)
    {
        int n = bytes.Length;
        for (int back = 1; back <= Math.Min(3, n); back++)
        {
            if ((bytes[n - back] & 0xC0) == 0x80)
            {
                continue; // continuation byte: keep looking for the lead byte
            }
            return System.Text.Rune.DecodeFromUtf8(bytes[(n - back)..], out _, out _) == System.Buffers.OperationStatus.NeedMoreData ? n - back : n;
        }
        return n;
    }
}
