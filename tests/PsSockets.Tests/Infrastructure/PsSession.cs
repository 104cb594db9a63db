using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets.Tests.Infrastructure;

/// <summary>What a script produced: its output objects, its error records, and the exception that ended it.</summary>
public sealed record ScriptResult(Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, Exception? Exception)
{
    /// <summary>What the script wrote with Write-Progress, in order.</summary>
    public IReadOnlyList<ProgressRecord> Progress { get; init; } = [];

    /// <summary>The verbose, debug and warning messages, in order, each stream apart.</summary>
    public IReadOnlyList<string> Verbose { get; init; } = [];

    /// <inheritdoc cref="Verbose"/>
    public IReadOnlyList<string> Debug { get; init; } = [];

    /// <inheritdoc cref="Verbose"/>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public object? Single => Output.Count == 1 ? Output[0]?.BaseObject : throw new InvalidOperationException($"Expected one output object, got {Output.Count}: {Describe()}");

    public IEnumerable<object?> Values => Output.Select(o => o?.BaseObject);

    public ErrorRecord OnlyError => Errors.Count == 1 ? Errors[0] : throw new InvalidOperationException($"Expected one error, got {Errors.Count}: {Describe()}");

    public string Describe() =>
        $"output [{string.Join(", ", Values)}] errors [{string.Join(" | ", Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}] exception {Exception?.GetType().Name}: {Exception?.Message}";

    /// <summary>Throws with the whole story unless the script ran without an error.</summary>
    public ScriptResult Ok()
    {
        if (Errors.Count > 0 || Exception is not null)
        {
            throw new InvalidOperationException("Script failed: " + Describe());
        }
        return this;
    }
}

/// <summary>
/// One hosted PowerShell 7.6 runspace with out/PsSockets imported, shared by a test class
/// (opening a runspace is slow; a binary module cannot be unloaded, so each class gets its own).
/// Scripts run one at a time; variables persist between them, as at a prompt.
/// </summary>
public sealed class PsSession : IDisposable
{
    private readonly Runspace _runspace;

    public PsSession()
    {
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        _runspace.Open();
        Run("Import-Module $args[0] -ErrorAction Stop", ModuleLayout.ModulePath).Ok();
    }

    /// <summary>Runs script text; <paramref name="args"/> are $args in the script.</summary>
    public ScriptResult Run(string script, params object?[] args)
    {
        using var ps = Create(script, args);
        Exception? failure = null;
        Collection<PSObject> output = new();
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException e)
        {
            failure = e;
        }
        return new ScriptResult(output, ps.Streams.Error.ToList(), failure)
        {
            Progress = ps.Streams.Progress.ToList(),
            Verbose = ps.Streams.Verbose.Select(r => r.Message).ToList(),
            Debug = ps.Streams.Debug.Select(r => r.Message).ToList(),
            Warnings = ps.Streams.Warning.Select(r => r.Message).ToList(),
        };
    }

    /// <summary>
    /// Runs script text as <see cref="Run"/> does, but stops it (as Ctrl+C would) when it takes longer than
    /// <paramref name="limit"/> and throws a TimeoutException: a test of something that must not hang.
    /// </summary>
    public ScriptResult RunWithin(TimeSpan limit, string script, params object?[] args)
    {
        using var ps = Create(script, args);
        var input = new PSDataCollection<PSObject>();
        input.Complete();
        var output = new PSDataCollection<PSObject>();
        var pending = ps.BeginInvoke(input, output);
        if (!pending.AsyncWaitHandle.WaitOne(limit))
        {
            ps.Stop();
            throw new TimeoutException($"The script did not finish within {limit.TotalSeconds} s (stopped): {script}");
        }
        Exception? failure = null;
        try
        {
            ps.EndInvoke(pending);
        }
        catch (RuntimeException e)
        {
            failure = e;
        }
        return new ScriptResult(new Collection<PSObject>(output.ToList()), ps.Streams.Error.ToList(), failure) { Progress = ps.Streams.Progress.ToList() };
    }

    /// <summary>Sets a variable in the session, for objects a script needs ($ready, a hash).</summary>
    public void Set(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    public object? Get(string name) => _runspace.SessionStateProxy.GetVariable(name) is PSObject pso ? pso.BaseObject : _runspace.SessionStateProxy.GetVariable(name);

    /// <summary>
    /// Starts a script that blocks, waits until it signals <c>$ready.Set()</c> just before its
    /// blocking call, stops it as Ctrl+C would, and returns how long the stop took and what the
    /// script ended with.
    /// </summary>
    /// <param name="stopWhen">When given, the stop also waits for this (e.g. the peer has the request), up to the ready timeout.</param>
    public StopOutcome RunAndStop(string script, TimeSpan? readyTimeout = null, Func<bool>? stopWhen = null)
    {
        using var ready = new ManualResetEventSlim();
        Set("ready", ready);
        using var ps = Create(script, []);
        var input = new PSDataCollection<PSObject>();
        input.Complete();
        var output = new PSDataCollection<PSObject>();
        var pending = ps.BeginInvoke(input, output);
        if (!ready.Wait(readyTimeout ?? TimeSpan.FromSeconds(30)))
        {
            ps.Stop();
            throw new TimeoutException("The script never signalled $ready: " + string.Join(" | ", ps.Streams.Error));
        }
        if (stopWhen is not null && !SpinWait.SpinUntil(stopWhen, readyTimeout ?? TimeSpan.FromSeconds(30)))
        {
            ps.Stop();
            throw new TimeoutException("The condition to stop on never came true: " + string.Join(" | ", ps.Streams.Error));
        }
        var watch = Stopwatch.StartNew();
        ps.Stop();
        Exception? ended = null;
        try
        {
            ps.EndInvoke(pending);
        }
        catch (Exception e)
        {
            ended = e;
        }
        watch.Stop();
        return new StopOutcome(watch.Elapsed, ps.InvocationStateInfo.State, ended, output.ToList());
    }

    public void Dispose()
    {
        try
        {
            Run("Get-Socket | Close-Socket");
        }
        finally
        {
            _runspace.Dispose();
        }
    }

    private PowerShell Create(string script, object?[] args)
    {
        var ps = PowerShell.Create(_runspace);
        ps.AddScript(script);
        foreach (var arg in args)
        {
            ps.AddArgument(arg);
        }
        return ps;
    }
}

public sealed record StopOutcome(TimeSpan StopTook, PSInvocationState State, Exception? Ended, List<PSObject> Output);
