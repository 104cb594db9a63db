using System;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>The C names of socket errors (ECONNREFUSED, EADDRINUSE, ...), as the seeds and Python's errno module show them.</summary>
public static class Errno
{
    /// <summary>The errno of a failure: its OS error when it has one, else the nearest name for what PsSockets found.</summary>
    public static string Name(Exception e) => e switch
    {
        SocketException se => Name(se.SocketErrorCode),
        SocketOperationException { InnerException: SocketException se } => Name(se.SocketErrorCode),
        SocketOperationException op => Name(op.Failure),
        ObjectDisposedException => "EBADF",
        _ => e.GetType().Name,
    };

    public static string Name(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "ECONNREFUSED",
        SocketError.ConnectionReset => "ECONNRESET",
        SocketError.ConnectionAborted => "ECONNABORTED",
        SocketError.TimedOut => "ETIMEDOUT",
        SocketError.AddressAlreadyInUse => "EADDRINUSE",
        SocketError.AddressNotAvailable => "EADDRNOTAVAIL",
        SocketError.AddressFamilyNotSupported => "EAFNOSUPPORT",
        SocketError.NetworkUnreachable => "ENETUNREACH",
        SocketError.NetworkDown => "ENETDOWN",
        SocketError.NetworkReset => "ENETRESET",
        SocketError.HostUnreachable => "EHOSTUNREACH",
        SocketError.HostDown => "EHOSTDOWN",
        SocketError.HostNotFound => "EAI_NONAME",
        SocketError.TryAgain => "EAI_AGAIN",
        SocketError.NoData => "EAI_NODATA",
        SocketError.AccessDenied => "EACCES",
        SocketError.InvalidArgument => "EINVAL",
        SocketError.WouldBlock => "EWOULDBLOCK",
        SocketError.InProgress => "EINPROGRESS",
        SocketError.AlreadyInProgress => "EALREADY",
        SocketError.NotConnected => "ENOTCONN",
        SocketError.IsConnected => "EISCONN",
        SocketError.Shutdown => "EPIPE",
        SocketError.MessageSize => "EMSGSIZE",
        SocketError.ProtocolOption => "ENOPROTOOPT",
        SocketError.ProtocolNotSupported => "EPROTONOSUPPORT",
        SocketError.OperationNotSupported => "EOPNOTSUPP",
        SocketError.NotSocket => "ENOTSOCK",
        SocketError.TooManyOpenSockets => "EMFILE",
        SocketError.NoBufferSpaceAvailable => "ENOBUFS",
        SocketError.OperationAborted => "ECANCELED",
        SocketError.Interrupted => "EINTR",
        _ => error.ToString(),
    };

    /// <summary>For a failure PsSockets found without an OS error: the errno a C program would have met, or the failure's own name.</summary>
    public static string Name(SocketFailure failure) => failure switch
    {
        SocketFailure.ConnectionRefused => "ECONNREFUSED",
        SocketFailure.ConnectionReset => "ECONNRESET",
        SocketFailure.ConnectionAborted => "ECONNABORTED",
        SocketFailure.OperationTimeout or SocketFailure.ConnectionLost => "ETIMEDOUT",
        SocketFailure.AddressInUse or SocketFailure.StaleSocketFile => "EADDRINUSE",
        SocketFailure.AddressNotAvailable => "EADDRNOTAVAIL",
        SocketFailure.HostNotFound => "EAI_NONAME",
        SocketFailure.NetworkUnreachable => "ENETUNREACH",
        SocketFailure.HostUnreachable => "EHOSTUNREACH",
        SocketFailure.SocketClosed => "EBADF",
        SocketFailure.NotConnected => "ENOTCONN",
        SocketFailure.AlreadyConnected => "EISCONN",
        SocketFailure.SocketShutdown => "EPIPE",
        SocketFailure.NotListening or SocketFailure.InvalidArgument => "EINVAL",
        SocketFailure.AccessDenied => "EACCES",
        SocketFailure.WouldBlock => "EWOULDBLOCK",
        SocketFailure.MessageTooLarge => "EMSGSIZE",
        SocketFailure.OptionNotApplicable or SocketFailure.OptionNotSupported => "ENOPROTOOPT",
        _ => failure.ToString(),
    };
}
