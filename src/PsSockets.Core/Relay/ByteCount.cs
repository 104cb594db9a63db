using System.Globalization;

namespace PsSockets;

/// <summary>Byte counts short enough for a table column: 9999, 12.3K, 512M, 1.5G (binary units).</summary>
public static class ByteCount
{
    private static readonly string[] s_units = ["K", "M", "G", "T", "P", "E"];

    public static string Format(long bytes)
    {
        if (bytes < 10_000)
        {
            return bytes.ToString(CultureInfo.InvariantCulture);
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < s_units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return (value < 100 ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString("0", CultureInfo.InvariantCulture)) + s_units[unit];
    }
}
