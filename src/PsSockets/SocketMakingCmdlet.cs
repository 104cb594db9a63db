using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// A cmdlet that makes a socket (New-Socket, Connect-Socket, Start-SocketListener): the common socket options
/// as switches, and -Option for any option of Get-SocketOption by name. They are set before bind and connect.
/// </summary>
public abstract class SocketMakingCmdlet : SocketCmdlet
{
    /// <summary>TCP_NODELAY: small writes leave at once (Nagle's algorithm off).</summary>
    [Parameter]
    public SwitchParameter NoDelay { get; set; }

    /// <summary>SO_REUSEADDR: binds a port that connections in TIME_WAIT still hold.</summary>
    [Parameter]
    public SwitchParameter ReuseAddress { get; set; }

    /// <summary>SO_REUSEPORT (Linux): several sockets may bind the same address and port.</summary>
    [Parameter]
    public SwitchParameter ReusePort { get; set; }

    /// <summary>SO_KEEPALIVE: probes an idle TCP connection, so a peer that vanished is noticed.</summary>
    [Parameter]
    public SwitchParameter KeepAlive { get; set; }

    /// <summary>SO_BROADCAST: a UDP socket may send to a broadcast address.</summary>
    [Parameter]
    public SwitchParameter Broadcast { get; set; }

    /// <summary>Any option of Get-SocketOption by name, e.g. @{ KeepAliveIdle = 30; ReceiveBufferSize = 1MB }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Option { get; set; }

    /// <summary>
    /// Records what the socket does from its birth, its connect or accept included: every send and receive with
    /// its bytes, shutdown, close and failure (Get-SocketTrace). A listener's connections are traced too.
    /// </summary>
    [Parameter]
    public SwitchParameter Trace { get; set; }

    /// <summary>The most the trace keeps, in bytes (each entry counts its bytes plus SocketTrace.EntryCost); the oldest entries go first. Implies -Trace.</summary>
    [Parameter]
    [ValidateRange(SocketTrace.EntryCost, long.MaxValue)]
    public long TraceLimit { get; set; }

    /// <summary>The trace budget the new socket is born with: -TraceLimit, else -Trace's (the session's, or the default), else the session's switch (0: none).</summary>
    protected long TraceBudget =>
        IsBound(nameof(TraceLimit)) ? TraceLimit
        : Trace ? (Registry.TraceLimit > 0 ? Registry.TraceLimit : SocketTrace.DefaultLimit)
        : Registry.TraceLimit;

    /// <summary>The bound switches and -Option, by catalog name, each value of its option's type.</summary>
    protected IReadOnlyDictionary<string, object?> NamedOptions(params (string Name, object? Value)[] more)
    {
        var named = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in (string[])[nameof(NoDelay), nameof(ReuseAddress), nameof(ReusePort), nameof(KeepAlive), nameof(Broadcast)])
        {
            if (IsBound(name))
            {
                named[name] = ((SwitchParameter)MyInvocation.BoundParameters[name]).IsPresent;
            }
        }
        foreach (var (name, value) in more)
        {
            named[name] = value;
        }
        foreach (DictionaryEntry entry in Option ?? [])
        {
            var option = SocketOptionCatalog.Get(entry.Key?.ToString() ?? string.Empty, Option);
            if (named.ContainsKey(option.Name))
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"{option.Name} is given twice: as -{option.Name} and in -Option; give it once."),
                    "OptionGivenTwice", ErrorCategory.InvalidArgument, Option));
            }
            named[option.Name] = OptionValues.ToOptionType(entry.Value, option);
        }
        return named;
    }
}
