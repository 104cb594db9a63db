using System;
using System.Linq;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace PsSockets;

/// <summary>Unix domain socket paths: a file path, or on Linux an abstract name written "@name".</summary>
internal static class UnixSocketPath
{
    /// <summary>sun_path holds 108 bytes on Linux, the last one the terminating NUL.</summary>
    public const int MaxBytes = 107;

    public static bool IsAbstract(string path) => path.StartsWith('@');

    /// <summary>The endpoint for <paramref name="path"/>, or a clear InvalidArgument failure.</summary>
    public static UnixDomainSocketEndPoint EndPoint(string path)
    {
        if (IsAbstract(path) && !OperatingSystem.IsLinux())
        {
            throw Invalid(path, "abstract names (@name) exist on Linux only");
        }
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (path.Length == 0 || (IsAbstract(path) && path.Length == 1))
        {
            throw Invalid(path, "the path is empty");
        }
        if (!IsAbstract(path) && path.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(path, "a file path cannot hold a NUL character (the system would cut it there)");
        }
        if (bytes > MaxBytes)
        {
            throw Invalid(path, $"it is {bytes} bytes long and the system allows {MaxBytes}; use a shorter path (a folder nearer the root, or an abstract @name on Linux)");
        }
        return new UnixDomainSocketEndPoint(IsAbstract(path) ? "\0" + path[1..] : path);
    }

    /// <summary>True when a socket file is at <paramref name="path"/>; null when this system cannot tell a socket from other files.</summary>
    public static bool? IsSocketFile(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var buffer = new byte[256]; // struct statx
        try
        {
            if (statx(-100 /* AT_FDCWD */, path, 0x100 /* AT_SYMLINK_NOFOLLOW */, 0x1 /* STATX_TYPE */, buffer) != 0)
            {
                return null; // an old kernel, a sandbox that forbids statx: this system cannot tell
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null; // a C library without statx
        }
        ushort mode = BitConverter.ToUInt16(buffer, 28); // stx_mode: the same offset on every architecture
        return (mode & 0xF000) == 0xC000; // S_IFSOCK
    }

    /// <summary>unix:path, as endpoints print; a path of digits alone as unix:./80, since unix:80 reads as host 'unix', port 80.</summary>
    public static string Display(string path) => "unix:" + (path.Length > 0 && path.All(char.IsAsciiDigit) ? "./" + path : path);

    private static SocketOperationException Invalid(string path, string why) =>
        new(SocketFailure.InvalidArgument, $"Cannot use the unix socket path '{path}': {why}.", path);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
