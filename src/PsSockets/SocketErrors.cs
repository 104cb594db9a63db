using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Core failures as ErrorRecords: the failure is the error id, the category follows from it.</summary>
internal static class SocketErrors
{
    public static ErrorRecord ToRecord(SocketOperationException e)
    {
        var record = new ErrorRecord(e, e.ErrorId, Category(e.Failure), e.Target);
        if (e.Target is Datagram datagram)
        {
            // The error view shows the target's name, and a datagram's text is its payload: name it by size and sender instead.
            record.CategoryInfo.TargetName = $"a datagram of {datagram.SentLength} bytes from {PsSocket.FormatEndPoint(datagram.RemoteEndPoint)}";
        }
        return record;
    }

    public static ErrorCategory Category(SocketFailure failure) => failure switch
    {
        SocketFailure.OperationTimeout => ErrorCategory.OperationTimeout,
        SocketFailure.HostNotFound => ErrorCategory.ObjectNotFound,
        SocketFailure.AddressInUse => ErrorCategory.ResourceBusy,
        SocketFailure.StaleSocketFile => ErrorCategory.ResourceExists,
        SocketFailure.DatagramTruncated => ErrorCategory.InvalidData,
        SocketFailure.SocketClosed or SocketFailure.NotBound or SocketFailure.NotListening or SocketFailure.NotConnected or SocketFailure.AlreadyConnected
            or SocketFailure.SocketShutdown or SocketFailure.OptionNotApplicable => ErrorCategory.InvalidOperation,
        SocketFailure.OptionNotSupported => ErrorCategory.NotImplemented,
        SocketFailure.MessageTooLarge => ErrorCategory.LimitsExceeded,
        SocketFailure.InvalidLengthPrefix => ErrorCategory.InvalidData,
        SocketFailure.AccessDenied => ErrorCategory.PermissionDenied,
        SocketFailure.InvalidArgument or SocketFailure.AddressNotAvailable => ErrorCategory.InvalidArgument,
        SocketFailure.WouldBlock => ErrorCategory.ResourceUnavailable,
        SocketFailure.CertificateInvalid => ErrorCategory.SecurityError,
        SocketFailure.TlsHandshakeFailed or SocketFailure.TlsFailed => ErrorCategory.ProtocolError,
        SocketFailure.ProxyAuthenticationFailed => ErrorCategory.AuthenticationError,
        SocketFailure.ProxyProtocolError => ErrorCategory.ProtocolError,
        SocketFailure.UnexpectedResponse => ErrorCategory.InvalidResult,
        SocketFailure.ConnectionLost => ErrorCategory.ConnectionError,
        SocketFailure.Unknown => ErrorCategory.NotSpecified,
        _ => ErrorCategory.ConnectionError,
    };
}
