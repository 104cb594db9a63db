using System;

namespace PsSockets;

/// <summary>Finds where the last whole UTF-8 character ends, so a character split across two reads is decoded once whole.</summary>
internal static class Utf8Boundary
{
    /// <summary>
    /// The length of the longest prefix that does not end inside a multi-byte sequence. Invalid
    /// bytes count as whole (they decode to U+FFFD); only a valid but incomplete tail is held back.
    /// </summary>
    public static int CompletePrefixLength(ReadOnlySpan<byte> bytes)
    {
        int n = bytes.Length;
        for (int back = 1; back <= Math.Min(3, n); back++)
        {
            byte b = bytes[n - back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte: keep looking for the lead byte
            }
            int needed = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1;
            return needed > back ? n - back : n;
        }
        return n;
    }
}
