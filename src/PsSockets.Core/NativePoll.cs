using System;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace PsSockets;

/// <summary>
/// poll(2) over many descriptors in one call. Unlike select(2) it has no FD_SETSIZE limit (1,024
/// descriptors, and no descriptor numbered 1,024 or more), and it tells for each descriptor what
/// happened: data (POLLIN), room to write (POLLOUT), an error (POLLERR), a hang-up (POLLHUP), a
/// descriptor that is not open (POLLNVAL). .NET's Socket.Select keeps only "ready or not".
/// </summary>
internal static class NativePoll
{
    [Flags]
    public enum Events : short
    {
        None = 0,
        In = 0x1,
        Pri = 0x2,
        Out = 0x4,
        Err = 0x8,
        Hup = 0x10,
        Nval = 0x20,
    }

    /// <summary>struct pollfd: the same layout and flag values on Linux, macOS and the BSDs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Entry
    {
        public int Fd;
        public Events Requested;
        public Events Returned;
    }

    /// <summary>Where poll(2) is the libc call used here; elsewhere (Windows) the selector falls back to Socket.Select.</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    private const int EIntr = 4;

    /// <summary>
    /// Waits up to <paramref name="milliseconds"/> for the first <paramref name="count"/> entries (a negative
    /// descriptor is skipped) and returns how many have events; 0 also when a signal interrupted the wait.
    /// </summary>
    public static int Wait(Entry[] entries, int count, int milliseconds) => Wait(entries.AsSpan(0, count), milliseconds);

    /// <summary>As <see cref="Wait(Entry[], int, int)"/>, over entries that may live on the stack.</summary>
    public static int Wait(Span<Entry> entries, int milliseconds)
    {
        int count = entries.Length;
        int ready = poll(ref MemoryMarshal.GetReference(entries), (nuint)count, milliseconds);
        if (ready >= 0)
        {
            return ready;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EIntr)
        {
            for (int i = 0; i < count; i++)
            {
                entries[i].Returned = Events.None;
            }
            return 0;
        }
        throw new SocketException(errno == 12 ? (int)SocketError.NoBufferSpaceAvailable : (int)SocketError.SocketError);
    }

    // nfds_t is an unsigned long on Linux; a native-sized argument is right there and harmless where it is narrower.
    [DllImport("libc", SetLastError = true)]
    private static extern int poll(ref Entry fds, nuint nfds, int timeout);
}
