using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets;

/// <summary>
/// Test-SocketConnection's engine: checks host and port pairs in parallel (at most
/// <see cref="ConnectionCheckSettings.ThrottleLimit"/> at once, asynchronously: no thread waits on a connect), and
/// hands the results back in the order the pairs were added, each as soon as it and every one before it are done.
/// Disposing it (or the caller's stop) cancels every check at once, and returns once each one has closed its socket.
/// </summary>
public sealed class ConnectionChecker : IDisposable
{
    private readonly ConnectionCheckSettings _settings;
    private readonly CancellationTokenSource _stop;
    private readonly SemaphoreSlim _slots;
    private readonly HostAddressCache _hosts;
    private readonly List<Task<ConnectionCheckResult>> _checks = new();
    private int _next;

    public ConnectionChecker(ConnectionCheckSettings settings, CancellationToken stop)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ThrottleLimit, 1);
        _settings = settings;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _slots = new SemaphoreSlim(settings.ThrottleLimit);
        _hosts = new HostAddressCache(settings.Timeout, retryFailures: settings.Wait, _stop.Token);
    }

    /// <summary>How many checks were added and not yet taken.</summary>
    public int Pending => _checks.Count - _next;

    /// <summary>Starts checking <paramref name="host"/> (a name or an address, without brackets) on <paramref name="port"/>, once a slot is free.</summary>
    public void Add(string host, int port)
    {
        _checks.Add(Task.Run(() => RunAsync(host, port)));
    }

    /// <summary>The next result in order, if that check is done; never waits.</summary>
    public bool TryTakeNext([NotNullWhen(true)] out ConnectionCheckResult? result)
    {
        result = null;
        if (_next == _checks.Count || !_checks[_next].IsCompleted)
        {
            return false;
        }
        result = _checks[_next++].GetAwaiter().GetResult();
        return true;
    }

    /// <summary>
    /// The next result in order, waiting for it; null when every result was taken. A stop ends the wait with an
    /// OperationCanceledException.
    /// </summary>
    public ConnectionCheckResult? TakeNext()
    {
        if (_next == _checks.Count)
        {
            return null;
        }
        var check = _checks[_next];
        if (!check.IsCompleted)
        {
            Task.WaitAny([check], _stop.Token);
        }
        _next++;
        return check.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _stop.Cancel();
        bool allEnded;
        try
        {
            // Each check closes its socket as it ends; cancelled, they end within moments.
            allEnded = Task.WaitAll(_checks.ToArray(), TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            allEnded = true; // cancelled checks: their sockets are closed, which is all that is waited for here
        }
        if (allEnded)
        {
            _stop.Dispose();
            _slots.Dispose();
        }
    }

    private async Task<ConnectionCheckResult> RunAsync(string host, int port)
    {
        await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            return await ConnectionProbe.CheckAsync(host, port, _settings, _hosts, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
