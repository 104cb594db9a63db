using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace PsSockets;

/// <summary>
/// Lets a stop (Ctrl+C) end a poll(2) wait at once rather than at the end of its slice: one eventfd for the
/// process, polled beside the sockets, that a waiting caller's token raises when it is cancelled. Each wait
/// watches its caller's token only while it waits; each raise is taken down exactly once, by that watch when it
/// ends, so the signal never stays up. A waiter woken by another caller's stop polls once without the signal
/// and waits on. Where there is no eventfd (not Linux), waits keep to their slices.
/// </summary>
internal static class StopSignal
{
    // EFD_SEMAPHORE: each read takes one raise down, so two stops at once are two raises, each lowered once.
    private const int EfdSemaphore = 1, EfdNonBlock = 0x800, EfdCloexec = 0x80000;
    private static readonly int s_descriptor = OperatingSystem.IsLinux() && NativePoll.Available ? Open() : -1;
    private static readonly Action<object?> s_raise = _ => Raise();

    /// <summary>Watches <paramref name="token"/> until the watch is disposed: its cancellation wakes the wait.</summary>
    public static Watch Start(CancellationToken token) => new(token);

    /// <summary>One wait's watch of its caller's token.</summary>
    public readonly struct Watch : IDisposable
    {
        private readonly CancellationTokenRegistration _registration;

        public Watch(CancellationToken token)
        {
            if (s_descriptor >= 0 && token.CanBeCanceled)
            {
                _registration = token.UnsafeRegister(s_raise, null);
                Descriptor = s_descriptor;
            }
            else
            {
                Descriptor = -1;
            }
        }

        /// <summary>The descriptor to poll for POLLIN beside the sockets, or -1 (poll(2) skips a negative descriptor).</summary>
        public int Descriptor { get; }

        public void Dispose()
        {
            if (Descriptor >= 0 && !_registration.Unregister())
            {
                _registration.Dispose(); // the raise ran, or is running on the stopping thread: let it finish
                Lower();
            }
        }
    }

    private static int Open()
    {
        try
        {
            return eventfd(0, EfdSemaphore | EfdNonBlock | EfdCloexec);
        }
        catch (EntryPointNotFoundException)
        {
            return -1;
        }
    }

    private static void Raise()
    {
        ulong one = 1;
        _ = write(s_descriptor, ref one, sizeof(ulong));
    }

    private static void Lower()
    {
        ulong count = 0;
        _ = read(s_descriptor, ref count, sizeof(ulong));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int eventfd(uint initval, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, ref ulong value, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, ref ulong value, nint count);
}
