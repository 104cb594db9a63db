using System;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>
/// getsockopt/setsockopt calls with their failures classified: an option the system does not have is
/// OptionNotSupported, a closed socket SocketClosed, any other OS error keeps its SocketException inside.
/// </summary>
internal static class OptionCall
{
    /// <param name="doing">What the call does, for the message: "set Ttl (IP_TTL) to 0 on socket 3 (...)".</param>
    public static T Run<T>(Func<T> call, string doing, object target)
    {
        try
        {
            return call();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ProtocolOption or SocketError.ProtocolNotSupported or SocketError.OperationNotSupported)
        {
            throw new SocketOperationException(SocketFailure.OptionNotSupported,
                $"Cannot {doing}: this system does not have that option for this socket ({e.Message}).", target, e);
        }
        catch (SocketException e)
        {
            throw SocketOperationException.FromSocketError(e, doing, target);
        }
        catch (PlatformNotSupportedException e)
        {
            throw new SocketOperationException(SocketFailure.OptionNotSupported, $"Cannot {doing}: {e.Message}", target, e);
        }
        catch (ObjectDisposedException e)
        {
            throw new SocketOperationException(SocketFailure.SocketClosed, $"Cannot {doing}: the socket was closed.", target, e);
        }
    }

    public static void Run(Action call, string doing, object target) =>
        Run(() =>
        {
            call();
            return true;
        }, doing, target);

    /// <summary>getsockopt of an int, as the C call reads it (machine byte order); a shorter answer is zero-extended.</summary>
    public static int GetInt(Socket socket, int level, int name)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        value.Clear();
        socket.GetRawSocketOption(level, name, value);
        return BitConverter.ToInt32(value);
    }

    public static void SetInt(Socket socket, int level, int name, int value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(bytes, value);
        socket.SetRawSocketOption(level, name, bytes);
    }
}
