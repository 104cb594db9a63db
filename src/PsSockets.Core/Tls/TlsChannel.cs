using System;
using System.Net.Security;
using System.Threading;

namespace PsSockets;

/// <summary>
/// TLS over a PsSocket: SslStream on a <see cref="TlsTransport"/>, called synchronously on the caller's thread,
/// each call under the deadline of the PsSockets call that makes it.
/// </summary>
internal sealed class TlsChannel : IDisposable
{
    /// <summary>The most plaintext one TLS record carries: a read this large takes a whole record.</summary>
    public const int RecordPlaintext = 16384;

    private readonly TlsTransport _transport;
    private readonly SslStream _ssl;
    private byte[]? _plain; // what a record held beyond a small read
    private int _plainStart;
    private int _plainCount;

    private TlsChannel(TlsTransport transport, SslStream ssl, TlsInfo info)
    {
        _transport = transport;
        _ssl = ssl;
        Info = info;
    }

    public TlsInfo Info { get; }

    /// <summary>True when a read would return without the OS: decrypted bytes kept here, or a whole record already received.</summary>
    public bool HasReadable => _plainCount > 0 || _transport.HasWholeRecord;

    public static TlsChannel Client(TlsTransport transport, TlsClientSettings settings, string connectedName, CertificateCheck check, in Deadline deadline)
    {
        var options = settings.ToOptions(connectedName, check);
        var ssl = Handshake(transport, deadline, s => s.AuthenticateAsClientAsync(options, CancellationToken.None));
        return new TlsChannel(transport, ssl, new TlsInfo(ssl, isServer: false, options.TargetHost, check));
    }

    public static TlsChannel Server(TlsTransport transport, TlsServerSettings settings, CertificateCheck check, in Deadline deadline)
    {
        var options = settings.ToOptions(check);
        var ssl = Handshake(transport, deadline, s => s.AuthenticateAsServerAsync(options, CancellationToken.None));
        return new TlsChannel(transport, ssl, new TlsInfo(ssl, isServer: true, serverName: null, check));
    }

    /// <summary>Reads decrypted bytes into <paramref name="space"/>; 0 when the peer ended the stream (close_notify or FIN).</summary>
    public int Read(Span<byte> space, in Deadline deadline)
    {
        if (_plainCount == 0 && space.Length < RecordPlaintext)
        {
            // A small read would leave the rest of a record inside SslStream, where no poll sees it: read it whole here.
            _plain ??= new byte[RecordPlaintext];
            _transport.ReadDeadline = deadline;
            _plainStart = 0;
            _plainCount = _ssl.Read(_plain);
        }
        if (_plainCount > 0)
        {
            int n = Math.Min(space.Length, _plainCount);
            _plain.AsSpan(_plainStart, n).CopyTo(space);
            _plainStart += n;
            _plainCount -= n;
            return n;
        }
        if (space.Length < RecordPlaintext)
        {
            return 0; // the end of the stream, met by the read above
        }
        _transport.ReadDeadline = deadline;
        return _ssl.Read(space);
    }

    public void Write(ReadOnlySpan<byte> data, in Deadline deadline)
    {
        using var writing = _transport.Writing(deadline);
        _ssl.Write(data);
    }

    /// <summary>Sends close_notify: the TLS way to say "I am done sending", before the TCP FIN.</summary>
    public void CloseNotify(in Deadline deadline)
    {
        using var writing = _transport.Writing(deadline);
        _ssl.ShutdownAsync().GetAwaiter().GetResult();
    }

    public void Dispose() => _ssl.Dispose();

    private static SslStream Handshake(TlsTransport transport, in Deadline deadline, Func<SslStream, System.Threading.Tasks.Task> authenticate)
    {
        transport.ReadDeadline = deadline;
        var ssl = new SslStream(transport, leaveInnerStreamOpen: true);
        try
        {
            using var writing = transport.Writing(deadline);
            authenticate(ssl).GetAwaiter().GetResult();
            return ssl;
        }
        catch
        {
            ssl.Dispose();
            throw;
        }
    }
}
