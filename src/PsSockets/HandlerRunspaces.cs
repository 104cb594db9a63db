using System;
using System.Collections.Concurrent;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PsSockets.Commands;

/// <summary>
/// The runspaces a server's handlers run in, each with this module imported: made when a handler needs one,
/// reused after (its state reset, so one client's variables never reach the next), closed with the server.
/// A pool of our own rather than a RunspacePool: a handler's runspace must be known, so that its client socket
/// joins that runspace's Get-Socket and the sockets the handler leaves open can be closed when it ends.
/// The server's throttle limit bounds how many there are.
/// </summary>
internal sealed class HandlerRunspaces : IDisposable
{
    private readonly InitialSessionState _sessionState;
    private readonly string? _location;
    private readonly ConcurrentBag<Runspace> _idle = new();
    private readonly ConcurrentDictionary<Runspace, byte> _all = new();
    private volatile bool _disposed;

    /// <param name="modulePath">The module to import in each runspace (this module's own manifest).</param>
    /// <param name="location">The file system folder handlers start in (the caller's), or null.</param>
    public HandlerRunspaces(string modulePath, string? location)
    {
        _sessionState = InitialSessionState.CreateDefault2();
        _sessionState.ImportPSModule([modulePath]);
        _sessionState.ThrowOnRunspaceOpenError = true;
        // Handlers have no console to show progress on; without this, every Send-SocketData -Path would queue records.
        _sessionState.Variables.Add(new SessionStateVariableEntry("ProgressPreference", ActionPreference.SilentlyContinue, string.Empty));
        _location = location;
    }

    /// <summary>This module's manifest, found from the loaded module (or, failing that, next to this assembly).</summary>
    public static string ModulePath(PSModuleInfo? module)
    {
        string folder = module?.ModuleBase is { Length: > 0 } loadedFrom ? loadedFrom : Path.GetDirectoryName(typeof(HandlerRunspaces).Assembly.Location)!;
        string manifest = Path.Combine(folder, "PsSockets.psd1");
        return File.Exists(manifest) ? manifest : Path.Combine(folder, "PsSockets.dll");
    }

    /// <summary>How many runspaces were made (at most the throttle limit).</summary>
    public int Count => _all.Count;

    /// <summary>True when <paramref name="runspace"/> is one of these, i.e. a handler of this server is asking.</summary>
    public bool Contains(Runspace runspace) => _all.ContainsKey(runspace);

    /// <summary>An idle runspace, or a new one.</summary>
    public Runspace Take()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var idle))
        {
            return idle;
        }
        var runspace = RunspaceFactory.CreateRunspace(_sessionState);
        runspace.ThreadOptions = PSThreadOptions.ReuseThread;
        try
        {
            runspace.Open();
            GoToLocation(runspace);
        }
        catch
        {
            runspace.Dispose();
            throw;
        }
        _all[runspace] = 0;
        return runspace;
    }

    /// <summary>Takes a runspace back after a handler, reset for the next; one that is no longer usable is closed.</summary>
    public void Return(Runspace runspace)
    {
        try
        {
            runspace.ResetRunspaceState();
            GoToLocation(runspace);
        }
        catch (Exception e) when (e is PSInvalidOperationException or InvalidRunspaceStateException)
        {
            Discard(runspace);
            return;
        }
        if (_disposed || runspace.RunspaceStateInfo.State != RunspaceState.Opened)
        {
            Discard(runspace);
            return;
        }
        _idle.Add(runspace);
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var runspace in _all.Keys)
        {
            Discard(runspace);
        }
    }

    private void Discard(Runspace runspace)
    {
        _all.TryRemove(runspace, out _);
        runspace.Dispose(); // closing it closes the sockets its handlers left in its registry
    }

    private void GoToLocation(Runspace runspace)
    {
        // A new or reset runspace starts in the process's current directory: going there again would cost
        // about a millisecond of provider work per client.
        if (_location is null || string.Equals(_location, Environment.CurrentDirectory, StringComparison.Ordinal))
        {
            return;
        }
        try
        {
            runspace.SessionStateProxy.Path.SetLocation(WildcardPattern.Escape(_location));
        }
        catch (Exception e) when (e is ItemNotFoundException or PSArgumentException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException)
        {
            // The folder is gone: handlers start where the process is.
        }
    }
}
