namespace PsSockets;

/// <summary>Why a socket operation failed; each value is a stable FullyQualifiedErrorId.</summary>
public enum SocketFailure
{
    Unknown,
    ConnectionRefused,
    NetworkUnreachable,
    HostUnreachable,
    HostNotFound,
    OperationTimeout,
    ConnectionReset,
    ConnectionAborted,
    AddressInUse,
    AddressNotAvailable,
    SocketClosed,
    PeerClosed,
    NotConnected,
    NotListening,
    AlreadyConnected,
    SocketShutdown,
    MessageTooLarge,
    InvalidLengthPrefix,
    AccessDenied,
    InvalidArgument,
    /// <summary>A unix socket file is there with no listener behind it (a crashed server's).</summary>
    StaleSocketFile,
    /// <summary>A datagram socket with no address: nothing can send to it.</summary>
    NotBound,
    /// <summary>A datagram longer than the receive buffer arrived cut short.</summary>
    DatagramTruncated,
    /// <summary>A socket option that does not apply to this kind of socket (NoDelay on UDP, DualMode on IPv4).</summary>
    OptionNotApplicable,
    /// <summary>A socket option this system does not have (SO_REUSEPORT outside Linux, an unknown raw option).</summary>
    OptionNotSupported,
    /// <summary>A call on a non-blocking socket that could not be done without waiting (EWOULDBLOCK / EAGAIN).</summary>
    WouldBlock,
    /// <summary>The peer's TLS certificate was refused (expired, for another name, an untrusted root, or by a custom rule).</summary>
    CertificateInvalid,
    /// <summary>The TLS handshake failed: no common protocol version or cipher, an alert from the peer, a peer that is not TLS.</summary>
    TlsHandshakeFailed,
    /// <summary>A TLS session failed after the handshake: a corrupt record, an alert, the peer cut it inside a record.</summary>
    TlsFailed,
    /// <summary>A proxy could not or would not open the tunnel, for a reason with no failure of its own (SOCKS5 reply 1, an HTTP 502/503/504 or 403).</summary>
    ProxyFailed,
    /// <summary>A proxy wants credentials, or rejected the ones given (SOCKS5 method 0xFF or a failed login, HTTP 407).</summary>
    ProxyAuthenticationFailed,
    /// <summary>A proxy answered with something that is not its protocol (not SOCKS5, not an HTTP response).</summary>
    ProxyProtocolError,
    /// <summary>A network check's peer answered, but not with the text it was expected to send (Test-SocketConnection -Expect).</summary>
    UnexpectedResponse,
    /// <summary>An established connection the OS gave up on: the peer stopped answering keepalive probes or retransmissions (ETIMEDOUT after connect).</summary>
    ConnectionLost,
}
