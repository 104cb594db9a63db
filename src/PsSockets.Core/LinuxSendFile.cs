using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PsSockets;

/// <summary>sendfile(2): file bytes go from the page cache to the socket without a copy through this process.</summary>
internal static class LinuxSendFile
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    private const int EPIPE = 32;
    private const int ECONNRESET = 104;
    private const int ENOTCONN = 107;
    private const int EINVAL = 22;
    private const int ENOSYS = 38;
    private const int EOPNOTSUPP = 95;

    /// <summary>Calls sendfile once; returns the bytes sent, or -1 with the errno in <paramref name="errno"/>.</summary>
    public static long Send(SafeSocketHandle socket, SafeFileHandle file, long offset, long count, out int errno)
    {
        long position = offset;
        long sent = sendfile(socket, file, ref position, (nuint)count);
        errno = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
        return sent;
    }

    /// <summary>True when sendfile cannot serve this file or socket, so a plain copy must.</summary>
    public static bool Unsupported(int errno) => errno is EINVAL or ENOSYS or EOPNOTSUPP;

    /// <summary>The socket error behind an errno from sendfile, as send() would have reported it.</summary>
    public static SocketException ToSocketException(int errno) => new((int)(errno switch
    {
        EPIPE => SocketError.Shutdown,
        ECONNRESET => SocketError.ConnectionReset,
        ENOTCONN => SocketError.NotConnected,
        _ => SocketError.SocketError,
    }));

    [DllImport("libc", SetLastError = true)]
    private static extern long sendfile(SafeSocketHandle outFd, SafeFileHandle inFd, ref long offset, nuint count);
}
