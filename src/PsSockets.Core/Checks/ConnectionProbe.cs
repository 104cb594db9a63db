using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>
/// One check of one host and port: look the name up, connect to its addresses in turn, TLS, send and expect, all
/// within one time limit; with -Wait, again after a growing pause until it succeeds or the time is up. The socket is
/// closed whatever happens. A stop (the caller's token) ends it with an OperationCanceledException; every other
/// ending is a result.
/// </summary>
internal static class ConnectionProbe
{
    public static readonly TimeSpan FirstBackOff = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan MaxBackOff = TimeSpan.FromMilliseconds(500);

    public static async Task<ConnectionCheckResult> CheckAsync(string host, int port, ConnectionCheckSettings settings, HostAddressCache hosts, CancellationToken stop)
    {
        long started = Stopwatch.GetTimestamp();
        TimeSpan Left() => settings.Timeout - Stopwatch.GetElapsedTime(started);
        var backOff = FirstBackOff;
        CheckAttempt? telling = null; // the latest attempt that says more than "time ran out", once there is one
        for (int attempts = 1; ; attempts++)
        {
            var attempt = await AttemptAsync(host, port, settings, hosts, Left() > TimeSpan.Zero ? Left() : TimeSpan.Zero, stop).ConfigureAwait(false);
            // A try that only the end of the wait cut short says less than the one before it.
            if (attempt.Failure != SocketFailure.OperationTimeout || telling is null or { Failure: SocketFailure.OperationTimeout })
            {
                telling = attempt;
            }
            if (attempt.Succeeded || !settings.Wait || Left() <= TimeSpan.Zero)
            {
                return Result(attempt.Succeeded ? attempt : telling, attempts);
            }
            await Task.Delay(backOff < Left() ? backOff : Left(), stop).ConfigureAwait(false);
            if (Left() <= TimeSpan.Zero)
            {
                return Result(telling, attempts);
            }
            backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 3 / 2, MaxBackOff.Ticks));
        }

        ConnectionCheckResult Result(CheckAttempt last, int attempts)
        {
            string? waited = settings.Wait && !last.Succeeded
                ? $"{Target(host, port)} was not ready within {Deadline.Describe(settings.Timeout)} ({attempts} {(attempts == 1 ? "attempt" : "attempts")}); the last one: {last.Error}"
                : null;
            return new ConnectionCheckResult(host, port, last, attempts, Stopwatch.GetElapsedTime(started), waited);
        }
    }

    private static async Task<CheckAttempt> AttemptAsync(string host, int port, ConnectionCheckSettings settings, HostAddressCache hosts,
        TimeSpan limit, CancellationToken stop)
    {
        var attempt = new CheckAttempt { Doing = $"resolving '{host}'" };
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timer.CancelAfter(limit);
        var token = timer.Token;
        Socket? socket = null;
        SslStream? ssl = null;
        ResponseReader? reader = null;
        try
        {
            var addresses = await hosts.Get(host, settings.AddressFamily).WaitAsync(token).ConfigureAwait(false);
            socket = await ConnectAsync(host, addresses, port, attempt, token).ConfigureAwait(false);
            string endPoint = PsSocket.FormatEndPoint(socket.RemoteEndPoint);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (settings.Tls is { } tls)
            {
                ssl = new SslStream(stream);
                await HandshakeAsync(ssl, tls, host, endPoint, attempt, token).ConfigureAwait(false);
                stream = ssl;
            }
            if (settings.Exchanges)
            {
                reader = new ResponseReader(settings.Expect, settings.MaxResponseBytes);
                await ExchangeAsync(stream, settings, reader, endPoint, attempt, token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (stop.IsCancellationRequested)
        {
            throw new OperationCanceledException("The check was stopped.", e, stop);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            attempt.Response = reader?.Text;
            string timedOut = $"Timed out after {Deadline.Describe(limit)} {attempt.Doing}";
            if (reader is { Any: true } && settings.Expect is not null)
            {
                attempt.Fail(SocketFailure.UnexpectedResponse, $"{timedOut}; what arrived instead: {reader.Shown()}.");
            }
            else
            {
                attempt.Fail(SocketFailure.OperationTimeout, timedOut + (reader is null ? "." : "; nothing arrived."));
            }
        }
        catch (SocketOperationException e)
        {
            attempt.Fail(e.Failure, e.Message);
        }
        catch (Exception e) when (e is SocketException or IOException && (e as SocketException ?? e.InnerException as SocketException) is { } os)
        {
            attempt.Fail(SocketOperationException.Classify(os.SocketErrorCode), $"Failed {attempt.Doing}: {os.Message} ({os.SocketErrorCode}).");
        }
        catch (Exception e) when (e is IOException && attempt.Tls is not null)
        {
            // After the handshake: an alert (a TLS 1.3 server refusing the client's certificate says so here), a corrupt record.
            attempt.Fail(SocketFailure.TlsFailed, $"The TLS session failed {attempt.Doing}: {TlsFailureText.Of(e)}");
        }
        catch (Exception e)
        {
            attempt.Fail(SocketFailure.Unknown, $"Failed {attempt.Doing}: {e.Message.TrimEnd('.')} ({e.GetType().Name}).");
        }
        finally
        {
            ssl?.Dispose();
            socket?.Dispose();
        }
        return attempt;
    }

    /// <summary>Connects to each address in turn, the first that accepts wins; the attempt keeps the address tried last.</summary>
    internal static async Task<Socket> ConnectAsync(string host, IPAddress[] addresses, int port, CheckAttempt attempt, CancellationToken token)
    {
        var failures = new ConnectFailures();
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, port);
            attempt.Address = address;
            attempt.Doing = $"connecting to {PsSocket.FormatEndPoint(endPoint)}{failures.BeforeThat()}";
            Socket? socket = null;
            try
            {
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                long start = Stopwatch.GetTimestamp();
                await socket.ConnectAsync(endPoint, token).ConfigureAwait(false);
                attempt.Latency = Stopwatch.GetElapsedTime(start);
                return socket;
            }
            catch (SocketException e) when (!token.IsCancellationRequested)
            {
                socket?.Dispose();
                failures.Add(endPoint, e);
            }
            catch
            {
                socket?.Dispose();
                throw;
            }
        }
        var last = failures.Last;
        string tried = failures.Count == 1 ? last.Message : failures.ToString();
        throw new SocketOperationException(SocketOperationException.Classify(last.SocketErrorCode), $"Cannot connect to {Target(host, port)}: {tried}.", Target(host, port), last);
    }

    private static async Task HandshakeAsync(SslStream ssl, TlsClientSettings tls, string host, string endPoint, CheckAttempt attempt, CancellationToken token)
    {
        attempt.Doing = $"in the TLS handshake with {endPoint}";
        var check = new CertificateCheck();
        var options = tls.ToOptions(host, check);
        string name = options.TargetHost ?? host;
        long start = Stopwatch.GetTimestamp();
        try
        {
            await ssl.AuthenticateAsClientAsync(options, token).ConfigureAwait(false);
        }
        catch (Exception e) when (!token.IsCancellationRequested)
        {
            if (check.Certificate is { } refused)
            {
                attempt.Certificate = new CertificateSummary(refused);
            }
            throw check.Refused
                ? new SocketOperationException(SocketFailure.CertificateInvalid,
                    $"The TLS certificate of '{name}' ({endPoint}) was refused: {check.Describe(name)}.", endPoint, e)
                : new SocketOperationException(SocketFailure.TlsHandshakeFailed, $"The TLS handshake with {endPoint} failed: {TlsFailureText.Of(e)}", endPoint, e);
        }
        attempt.TlsLatency = Stopwatch.GetElapsedTime(start);
        attempt.Tls = TlsInfo.FromStream(ssl, isServer: false, name, check);
        attempt.Certificate = attempt.Tls.RemoteCertificate;
    }

    private static async Task ExchangeAsync(Stream stream, ConnectionCheckSettings settings, ResponseReader reader, string endPoint, CheckAttempt attempt, CancellationToken token)
    {
        if (settings.Send is { } request)
        {
            attempt.Doing = $"sending to {endPoint}";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request), token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        string? expect = settings.Expect;
        attempt.Doing = expect is null ? $"waiting for an answer from {endPoint}" : $"waiting for '{PrintableText.Of(expect)}' from {endPoint}";
        var ending = await reader.ReadAsync(stream, token).ConfigureAwait(false);
        attempt.Response = reader.Text;
        string wanted = expect is null ? "an answer" : $"'{PrintableText.Of(expect)}'";
        switch (ending)
        {
            case ResponseReader.Ending.PeerClosed when reader.Any:
                attempt.Fail(SocketFailure.UnexpectedResponse, $"Expected {wanted} from {endPoint}, but it closed the connection after sending {reader.Shown()}.");
                break;
            case ResponseReader.Ending.PeerClosed:
                attempt.Fail(SocketFailure.PeerClosed, $"Expected {wanted} from {endPoint}, but it closed the connection without sending anything.");
                break;
            case ResponseReader.Ending.TooLong:
                attempt.Fail(SocketFailure.UnexpectedResponse, $"Expected {wanted} from {endPoint}, but {reader.Bytes} bytes came without it: {reader.Shown()}.");
                break;
        }
    }

    private static string Target(string host, int port) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
