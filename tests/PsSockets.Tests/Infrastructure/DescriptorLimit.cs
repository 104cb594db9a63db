using System;
using System.Runtime.InteropServices;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// The process's limit on open descriptors (ulimit -n, RLIMIT_NOFILE). Tests that open thousands of
/// sockets raise the soft limit toward the hard one first: many shells start with a soft limit of 1,024.
/// </summary>
public static class DescriptorLimit
{
    private const int RlimitNofile = 7; // Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>Raises the soft limit to <paramref name="wanted"/> when the hard limit allows (never lowers it); returns the soft limit now.</summary>
    public static long RaiseTo(long wanted)
    {
        if (!OperatingSystem.IsLinux() || getrlimit(RlimitNofile, out var limit) != 0)
        {
            return long.MaxValue; // no way to tell: let the test try
        }
        if (limit.Current < (ulong)wanted)
        {
            var raised = limit with { Current = Math.Min((ulong)wanted, limit.Maximum) };
            if (setrlimit(RlimitNofile, in raised) == 0)
            {
                limit = raised;
            }
        }
        return (long)Math.Min(limit.Current, long.MaxValue);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, in RLimit limit);
}
