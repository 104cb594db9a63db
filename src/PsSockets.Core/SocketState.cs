namespace PsSockets;

/// <summary>Where a socket is in its life cycle, as the format view shows it.</summary>
public enum SocketState
{
    /// <summary>Created, neither bound nor connected.</summary>
    Open,
    /// <summary>Bound to a local address, not connected.</summary>
    Bound,
    /// <summary>Accepting connections.</summary>
    Listening,
    /// <summary>A non-blocking connect is under way; Select-Socket -Write reports the socket once it is done.</summary>
    Connecting,
    /// <summary>Connected, both directions open.</summary>
    Connected,
    /// <summary>Connected; this side shut down sending (shutdown(SHUT_WR)) and can still receive.</summary>
    SendShutdown,
    /// <summary>Connected; receiving is over (shut down here, or the peer closed its side) and sending still works.</summary>
    ReceiveShutdown,
    /// <summary>Both directions shut down; only closing is left.</summary>
    Shutdown,
    /// <summary>The connect failed or the connection broke (LastError says why); only closing is left.</summary>
    Failed,
    /// <summary>Closed: the OS socket is released.</summary>
    Closed,
}
