using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace PsSockets.Commands;

/// <summary>
/// The running servers of each runspace (Get-SocketServer). When the runspace closes, or the module is removed,
/// its servers stop, so an ended session leaves no port open and no handler running.
/// </summary>
internal static class SessionServers
{
    private static readonly ConditionalWeakTable<Runspace, ServerList> s_lists = new();
    private static readonly ServerList s_outsideRunspace = new();

    public static ServerList Current =>
        Runspace.DefaultRunspace is { } runspace ? s_lists.GetValue(runspace, Create) : s_outsideRunspace;

    private static ServerList Create(Runspace runspace)
    {
        var list = new ServerList();
        runspace.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
            {
                list.StopAll();
            }
        };
        return list;
    }
}

/// <summary>One session's running servers: a server leaves the list when it is Stopped.</summary>
internal sealed class ServerList
{
    private readonly object _gate = new();
    private readonly List<SocketServer> _servers = [];

    public IReadOnlyList<SocketServer> All
    {
        get
        {
            lock (_gate)
            {
                return _servers.OrderBy(s => s.Id).ToArray();
            }
        }
    }

    public void Add(SocketServer server)
    {
        lock (_gate)
        {
            _servers.Add(server);
        }
        server.Stopped += Forget;
    }

    /// <summary>Stops every server at once: first their listeners, then their handlers.</summary>
    public void StopAll()
    {
        var servers = All;
        foreach (var server in servers)
        {
            server.StopAccepting();
        }
        foreach (var server in servers)
        {
            server.StopHandlers();
        }
    }

    private void Forget(object? sender, EventArgs e)
    {
        lock (_gate)
        {
            _servers.Remove((SocketServer)sender!);
        }
    }
}
