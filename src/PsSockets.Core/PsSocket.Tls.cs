using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>
/// TLS on a connected stream socket: after the handshake every send and receive (every framing, files and
/// streams) goes through it unchanged, with the same time limits, Ctrl+C and buffer as plain ones.
/// </summary>
public sealed partial class PsSocket : ITlsWire
{
    private TlsChannel? _tls;

    /// <summary>What the TLS handshake settled (version, cipher suite, ALPN, the peer's certificate); null on a plain socket.</summary>
    public TlsInfo? Tls => _tls?.Info;

    /// <summary>On a listener: the TLS every connection it accepts is secured with (Start-SocketListener -Certificate).</summary>
    public TlsServerSettings? TlsServer { get; set; }

    /// <summary>
    /// The client's handshake on this connected socket (at connect, or a STARTTLS-style upgrade later). The certificate
    /// is checked against <paramref name="connectedName"/> unless the settings name a server; a refused certificate is
    /// a CertificateInvalid error that says why.
    /// </summary>
    public void AuthenticateAsClient(TlsClientSettings settings, string? connectedName, TimeSpan? timeout, CancellationToken token)
    {
        string name = settings.ServerName ?? connectedName ?? (RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "localhost";
        var check = new CertificateCheck();
        Secure(timeout, token, name, check, (TlsTransport transport, in Deadline deadline) => TlsChannel.Client(transport, settings, name, check, deadline));
    }

    /// <summary>The server's handshake on an accepted (or upgraded) connection.</summary>
    public void AuthenticateAsServer(TlsServerSettings settings, TimeSpan? timeout, CancellationToken token)
    {
        var check = new CertificateCheck();
        Secure(timeout, token, null, check, (TlsTransport transport, in Deadline deadline) => TlsChannel.Server(transport, settings, check, deadline));
    }

    private delegate TlsChannel Handshake(TlsTransport transport, in Deadline deadline);

    private void Secure(TimeSpan? timeout, CancellationToken token, string? serverName, CertificateCheck? check, Handshake handshake)
    {
        ThrowIfCannotSend();
        ThrowIfCannotReceive();
        if (_tls is not null)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument, $"Cannot start TLS on {this}: it speaks TLS already ({_tls.Info}).", this);
        }
        using var receiving = TakeReceiveTurn(timeout, token);
        using var sending = TakeSendTurn(timeout, token);
        using var deadline = Deadline.Start(EffectiveTimeout(timeout), token);
        var transport = new TlsTransport(this);
        transport.Preload(_buffer.Span); // bytes that came with the STARTTLS exchange belong to the handshake
        _buffer.Consume(_buffer.Count);
        long started = SocketCallLog.Start();
        // Python's context.wrap_socket(sock, server_side=..., server_hostname=...) then do_handshake().
        string call = serverName is null ? $"do_handshake(#{Id}, server_side=True)" : $"do_handshake(#{Id}, server_hostname=\"{serverName}\")";
        try
        {
            _tls = handshake(transport, deadline);
            SocketCallLog.Current?.Add($"{call} -> {_tls.Info} in {SocketCallLog.Took(started)}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !deadline.CallerStopped)
        {
            var failure = HandshakeFailed(e, deadline, serverName, check);
            SocketCallLog.Current?.Failed(call, started, failure, failure.Failure == SocketFailure.OperationTimeout);
            Fail(failure);
            throw failure;
        }
        catch (OperationCanceledException)
        {
            Fail(new SocketOperationException(SocketFailure.TlsHandshakeFailed, $"The TLS handshake of {this} was stopped part way.", this));
            throw;
        }
    }

    private SocketOperationException HandshakeFailed(Exception e, in Deadline deadline, string? serverName, CertificateCheck? check)
    {
        if (deadline.CallerStopped)
        {
            throw new OperationCanceledException("The operation was stopped.", e);
        }
        if (check is { Refused: true } && serverName is null)
        {
            return new SocketOperationException(SocketFailure.CertificateInvalid,
                $"Cannot secure {this} with TLS: the client's certificate was refused: {check.Describe(string.Empty)}. " +
                "(-CertificateAuthority names the CA that issues client certificates.)", this, e);
        }
        if (check is { Refused: true })
        {
            return new SocketOperationException(SocketFailure.CertificateInvalid,
                $"Cannot secure {this} with TLS: the certificate of '{serverName}' was refused: {check.Describe(serverName!)}. " +
                "(-CertificateAuthority trusts a private CA; -SkipCertificateCheck accepts any certificate.)", this, e);
        }
        var translated = Translate(e, deadline, "complete the TLS handshake of");
        return translated.Failure == SocketFailure.TlsFailed
            ? new SocketOperationException(SocketFailure.TlsHandshakeFailed, $"The TLS handshake of {this} failed: {TlsFailureText.Of(e)}", this, e)
            : translated;
    }

    /// <summary>A TLS session that broke part way (a send stopped inside a record, a corrupt record): nothing more can go through it.</summary>
    private SocketOperationException TlsBroken(SocketOperationException failure)
    {
        Fail(failure);
        return failure;
    }

    private void SendCloseNotify(in Deadline deadline)
    {
        try
        {
            _tls!.CloseNotify(deadline);
        }
        catch (Exception e) when (e is not OperationCanceledException || !deadline.CallerStopped)
        {
            throw Translate(e, deadline, "send TLS close_notify to");
        }
    }

    /// <summary>
    /// A graceful close of a TLS socket: close_notify (when it goes within a second), then what the peer sent that no
    /// one will read is dropped — TLS 1.3 session tickets arrive unasked, and closing a socket with unread bytes makes
    /// the OS reset the connection (RST), which would cut off the data still on its way to the peer.
    /// </summary>
    private void CloseTlsGracefully()
    {
        if (_tls is null || _failed)
        {
            return;
        }
        if (!_sendShutdown && _sendTurn.Wait(0))
        {
            try
            {
                using var deadline = Deadline.Start(s_closeNotifyLimit, CancellationToken.None);
                _tls.CloseNotify(deadline);
            }
            catch (Exception)
            {
                // A close does not fail because the goodbye could not be said.
            }
            finally
            {
                _sendTurn.Release();
            }
        }
        if (_receiveTurn.Wait(0))
        {
            try
            {
                DropUnread(); // never under a receive that is under way on another thread: it would read the same bytes
            }
            finally
            {
                _receiveTurn.Release();
            }
        }
    }

    /// <summary>
    /// Frees the TLS session once no send or receive is inside it; one that is (on another thread, ending now with
    /// SocketClosed) would find it gone under it, so its native session is then left to the finalizer.
    /// </summary>
    private void DisposeTls()
    {
        if (_tls is null || !_receiveTurn.Wait(0))
        {
            return;
        }
        try
        {
            if (_sendTurn.Wait(0))
            {
                _sendTurn.Release();
                _tls.Dispose();
            }
        }
        finally
        {
            _receiveTurn.Release();
        }
    }

    private static readonly TimeSpan s_closeNotifyLimit = TimeSpan.FromSeconds(1);

    private void DropUnread()
    {
        try
        {
            Span<byte> scratch = stackalloc byte[4096];
            using var nonBlocking = new NonBlockingScope(this);
            while (Socket.Available > 0 && Socket.Receive(scratch, SocketFlags.None, out var error) > 0 && error == SocketError.Success)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Nothing to drop from a socket the peer reset.
        }
    }

    int ITlsWire.Receive(Span<byte> space, in Deadline deadline) => ReceiveFromOs(space, deadline);

    void ITlsWire.SendAll(ReadOnlySpan<byte> data, in Deadline deadline)
    {
        using var nonBlocking = new NonBlockingScope(this);
        while (!data.IsEmpty)
        {
            data = data[SendSome(data, deadline)..];
        }
    }
}
