using System.Net.Sockets;

namespace PsSockets;

/// <summary>
/// How a connection dies: the peer resets it, or the OS gives up on a peer that stopped answering. A stream
/// socket that died is Failed for good, so its State says so and every later call repeats why: after a reset,
/// Linux answers the next recv with 0, which would otherwise read as the peer's orderly end of stream.
/// </summary>
public sealed partial class PsSocket
{
    /// <summary>What an OS error in a call on this socket means, marking a connection that died as Failed.</summary>
    private SocketOperationException OsFailure(SocketException e, string doing)
    {
        var failure = ConnectionDied(e.SocketErrorCode) == SocketFailure.ConnectionLost
            ? new SocketOperationException(SocketFailure.ConnectionLost, $"Cannot {doing} {this}: {LostConnection} ({e.Message}).", this, e)
            : SocketOperationException.FromSocketError(e, $"{doing} {this}", this);
        if (ConnectionDied(e.SocketErrorCode) is not null)
        {
            Fail(failure);
        }
        TraceFailure(failure);
        return failure;
    }

    private const string LostConnection =
        "the connection was lost: the peer stopped answering, and the OS gave up after its keepalive probes or retransmissions went unanswered";

    /// <summary>How a connected stream socket died of <paramref name="error"/>, or null when it did not (or is not a connection).</summary>
    private SocketFailure? ConnectionDied(SocketError error) => IsDatagram || _listening ? null : error switch
    {
        SocketError.TimedOut => SocketFailure.ConnectionLost, // on a connection, not a connect: no answer to keepalive or retransmissions
        _ => SocketOperationException.Classify(error) is var kind && kind is SocketFailure.ConnectionReset or SocketFailure.ConnectionAborted ? kind : null,
    };
}
