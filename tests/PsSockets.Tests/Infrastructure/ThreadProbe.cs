using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// Tells when a script's thread sleeps in a given system call, so a test stops a cmdlet while it waits in
/// poll(2) rather than before it began: the script calls <c>$probe.Mark()</c> on its own thread, and the
/// test reads that thread's /proc/self/task/TID/syscall (the call it is blocked in, as its number).
/// </summary>
public sealed class ThreadProbe
{
    private volatile int _tid;

    /// <summary>poll(2) or ppoll(2): where PsSockets waits for a socket (receive, send, select, connect).</summary>
    public static readonly int[] Polling = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => [7, 271],
        Architecture.Arm64 => [73],
        _ => [],
    };

    /// <summary>futex(2): a managed wait, where a .NET async accept leaves the calling thread.</summary>
    public static readonly int[] ManagedWait = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => [202],
        Architecture.Arm64 => [98],
        _ => [],
    };

    /// <summary>Called by the script, on the thread to watch.</summary>
    public void Mark() => _tid = gettid();

    /// <summary>True while the marked thread sleeps in one of <paramref name="syscalls"/>.</summary>
    public bool SleepsIn(int[] syscalls)
    {
        int tid = _tid;
        if (tid == 0)
        {
            return false;
        }
        try
        {
            string stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('S') is false)
            {
                return false;
            }
            string call = File.ReadAllText($"/proc/self/task/{tid}/syscall");
            int end = call.IndexOf(' ', StringComparison.Ordinal);
            return end > 0 && int.TryParse(call.AsSpan(0, end), NumberStyles.Integer, CultureInfo.InvariantCulture, out int number)
                && Array.IndexOf(syscalls, number) >= 0;
        }
        catch (IOException)
        {
            return false; // the thread ended
        }
    }

    [DllImport("libc")]
    private static extern int gettid();
}
