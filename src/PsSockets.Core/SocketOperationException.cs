using System;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>
/// A socket operation that failed, classified (<see cref="Failure"/>) and tied to what it was aimed
/// at (<see cref="Target"/>: a <see cref="PsSocket"/>, an endpoint or a host name).
/// The OS error, when there is one, stays as the inner <see cref="SocketException"/>.
/// </summary>
public sealed class SocketOperationException : Exception
{
    public SocketOperationException(SocketFailure failure, string message, object? target, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        Target = target;
    }

    public SocketFailure Failure { get; }

    /// <summary>The stable error id: the failure's name, or the OS error's name when PsSockets has no class for it.</summary>
    public string ErrorId => Failure == SocketFailure.Unknown && InnerException is SocketException se
        ? se.SocketErrorCode.ToString()
        : Failure.ToString();

    public object? Target { get; }

    /// <summary>For a send that failed part way: how many bytes went out before it did (the rest was not sent).</summary>
    public long? BytesSent { get; init; }

    /// <summary>The OS error number (errno / WSA code), or 0 when the failure was not the OS's.</summary>
    public int NativeErrorCode => InnerException is SocketException se ? se.ErrorCode : 0;

    /// <summary>Classifies an OS socket error.</summary>
    public static SocketFailure Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => SocketFailure.ConnectionRefused,
        SocketError.NetworkUnreachable or SocketError.NetworkDown => SocketFailure.NetworkUnreachable,
        SocketError.HostUnreachable or SocketError.HostDown => SocketFailure.HostUnreachable,
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => SocketFailure.HostNotFound,
        SocketError.TimedOut => SocketFailure.OperationTimeout,
        // The OS says Shutdown (EPIPE) when the peer reset a connection we still send on; our own
        // shutdown is caught before any send, so here it means the connection is gone.
        SocketError.ConnectionReset or SocketError.NetworkReset or SocketError.Shutdown => SocketFailure.ConnectionReset,
        SocketError.ConnectionAborted or SocketError.OperationAborted => SocketFailure.ConnectionAborted,
        SocketError.AddressAlreadyInUse => SocketFailure.AddressInUse,
        SocketError.AddressNotAvailable => SocketFailure.AddressNotAvailable,
        SocketError.NotConnected => SocketFailure.NotConnected,
        SocketError.IsConnected => SocketFailure.AlreadyConnected,
        SocketError.AccessDenied => SocketFailure.AccessDenied,
        SocketError.InvalidArgument or SocketError.AddressFamilyNotSupported => SocketFailure.InvalidArgument,
        SocketError.WouldBlock => SocketFailure.WouldBlock,
        _ => SocketFailure.Unknown,
    };

    /// <summary>Wraps an OS error with what the operation was doing ("connect to 127.0.0.1:9").</summary>
    public static SocketOperationException FromSocketError(SocketException e, string doing, object? target) =>
        new(Classify(e.SocketErrorCode), $"Cannot {doing}: {e.Message} ({e.SocketErrorCode}).", target, e);
}
