using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Text.RegularExpressions;

namespace PsSockets.Shell;

/// <summary>How one run of a script ended.</summary>
internal enum RunResult
{
    /// <summary>It ran to the end (it may have written non-terminating errors).</summary>
    Completed,

    /// <summary>A terminating error ended it; the error was printed.</summary>
    Failed,

    /// <summary>Ctrl+C stopped it.</summary>
    Stopped,
}

/// <summary>
/// Runs script text or a script file in the shell's runspace the way pwsh does: errors merged
/// into the output and everything through Out-Default (so format views apply and errors print as
/// $ErrorView says), terminating errors printed the same way, and at most one pipeline at a time,
/// which <see cref="StopRunning"/> (Ctrl+C) stops.
/// </summary>
internal sealed class ScriptRunner
{
    // -Name or -Name:value on the command line of -File.
    private static readonly Regex s_parameterToken = new(@"^(?<name>-[\p{L}_][\p{L}\p{N}_-]*)(:(?<value>.*))?$", RegexOptions.Singleline | RegexOptions.CultureInvariant);

    private readonly Runspace _runspace;
    private readonly ShellHost _host;
    private readonly Terminal _terminal;
    private readonly object _gate = new();
    private PowerShell? _running;
    private bool _stopRequested;

    public ScriptRunner(Runspace runspace, ShellHost host, Terminal terminal)
    {
        _runspace = runspace;
        _host = host;
        _terminal = terminal;
    }

    /// <summary>Runs script text at global scope, as if typed at the prompt.</summary>
    public RunResult RunScript(string script, bool addToHistory = false) =>
        Execute(ps => ps.AddScript(script, useLocalScope: false), addToHistory);

    /// <summary>
    /// Runs a .ps1 at global scope (dot-sourced, as pwsh -File does) with its arguments as if
    /// typed after it: `-Name` is a parameter name (a following value binds to it unless it is a
    /// switch), `-Name:value` binds value, anything else is a literal string argument (positional,
    /// or $args when the script declares no parameter for it). Arguments that do not bind are a
    /// terminating error, as in pwsh.
    /// </summary>
    public RunResult RunFile(string path, IReadOnlyList<string> arguments) =>
        Execute(ps =>
        {
            ps.AddCommand(path, useLocalScope: false);
            var parameters = ps.Commands.Commands[0].Parameters;
            foreach (var argument in arguments)
            {
                parameters.Add(ToParameter(argument));
            }
        }, addToHistory: false);

    /// <summary>
    /// One command-line argument as the engine's parameter binder takes it: a name given with its
    /// dash and no value is a bare parameter name, as if typed.
    /// </summary>
    internal static CommandParameter ToParameter(string argument)
    {
        var parameter = s_parameterToken.Match(argument);
        if (!parameter.Success)
        {
            return new CommandParameter(null, argument);
        }
        string name = parameter.Groups["name"].Value;
        if (!parameter.Groups["value"].Success)
        {
            return new CommandParameter(name);
        }
        string value = parameter.Groups["value"].Value;
        object bound = value.Equals("$true", StringComparison.OrdinalIgnoreCase) ? true
            : value.Equals("$false", StringComparison.OrdinalIgnoreCase) ? false
            : value;
        return new CommandParameter(name + ":", bound);
    }

    /// <summary>Runs -Command text; also records whether its last statement succeeded (see <see cref="LastStatementSucceeded"/>).</summary>
    public RunResult RunCommand(string script)
    {
        _host.LastStatementSucceeded = true;
        Parser.ParseInput(script, out _, out ParseError[] errors);
        // A script that parses gets one more line that hands its last $? to the host; one that
        // does not is run as is, so that its parse error reads as the user wrote it.
        return RunScript(errors.Length == 0 ? script + "\n$Host.PrivateData.LastStatementSucceeded = $?" : script);
    }

    /// <summary>Whether the last statement of the last <see cref="RunCommand"/> succeeded ($? false makes pwsh -Command exit with 1).</summary>
    public bool LastStatementSucceeded() => _host.LastStatementSucceeded;

    /// <summary>$LASTEXITCODE: what `exit N` in a script file leaves (the file's exit ends the file, not the shell).</summary>
    public int? LastExitCode() =>
        _runspace.SessionStateProxy.GetVariable("global:LASTEXITCODE") switch
        {
            int code => code,
            PSObject { BaseObject: int code } => code,
            _ => null,
        };

    public void ClearLastExitCode() => _runspace.SessionStateProxy.SetVariable("global:LASTEXITCODE", null);

    /// <summary>
    /// Evaluates script text for the shell itself (the prompt, completion): the output comes
    /// back, nothing is printed, and failures come back as an empty result.
    /// </summary>
    public Collection<PSObject> Evaluate(string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        try
        {
            return ps.Invoke();
        }
        catch (RuntimeException)
        {
            return new Collection<PSObject>();
        }
    }

    /// <summary>Stops the running pipeline, if any (Ctrl+C). Returns at once; the run ends on its own thread.</summary>
    public bool StopRunning()
    {
        lock (_gate)
        {
            if (_running is null)
            {
                return false;
            }
            _stopRequested = true;
            _running.BeginStop(null, null);
            return true;
        }
    }

    /// <summary>
    /// Prints an error (a terminating one, or one of the shell's own) the way errors written by
    /// scripts print: through Out-Default and $ErrorView, on stderr.
    /// </summary>
    public void ReportError(ErrorRecord error)
    {
        if (MarkedAsErrorStream(error) is { } marked)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddCommand("Out-Default");
            try
            {
                ps.Invoke(new[] { marked });
                return;
            }
            catch (RuntimeException)
            {
                // fall back to the plain rendering below
            }
        }
        _host.UI.WriteErrorLine($"{error}{Environment.NewLine}    + CategoryInfo          : {error.CategoryInfo}{Environment.NewLine}    + FullyQualifiedErrorId : {error.FullyQualifiedErrorId}");
    }

    /// <summary>
    /// The error wrapped as the engine wraps error-stream records merged into the output, which
    /// is what makes Out-Default print a record on stderr. That marker (PSObject.WriteStream) is
    /// internal to System.Management.Automation, hence reflection; null when it is not there.
    /// </summary>
    private static PSObject? MarkedAsErrorStream(ErrorRecord error)
    {
        var property = typeof(PSObject).GetProperty("WriteStream", BindingFlags.Instance | BindingFlags.NonPublic);
        if (property is null || !property.PropertyType.IsEnum || !Enum.TryParse(property.PropertyType, "Error", out object? stream))
        {
            return null;
        }
        var wrapped = new PSObject(error);
        property.SetValue(wrapped, stream);
        return wrapped;
    }

    private RunResult Execute(Action<PowerShell> addCommands, bool addToHistory)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        addCommands(ps);
        ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        ps.AddCommand("Out-Default");
        lock (_gate)
        {
            _running = ps;
            _stopRequested = false;
        }
        try
        {
            ps.Invoke(null, new PSInvocationSettings { AddToHistory = addToHistory });
            return ps.InvocationStateInfo.State == PSInvocationState.Stopped ? RunResult.Stopped : RunResult.Completed;
        }
        catch (PipelineStoppedException)
        {
            return RunResult.Stopped;
        }
        catch (RuntimeException e) when (StopWasRequested() && e.ErrorRecord.Exception is PipelineStoppedException or OperationCanceledException)
        {
            return RunResult.Stopped;
        }
        catch (RuntimeException e)
        {
            // The record of the exception itself, not a ParentContainsErrorRecordException stand-in:
            // the error views need the real exception (a parse error shows its position from it).
            ReportError(e.ErrorRecord.Exception is ParentContainsErrorRecordException ? new ErrorRecord(e.ErrorRecord, e) : e.ErrorRecord);
            return RunResult.Failed;
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidRunspaceStateException or NotSupportedException)
        {
            // The engine refused to run the script at all (a broken runspace, a host feature missing).
            ReportError(new ErrorRecord(e, "PsSocketsShell." + e.GetType().Name, ErrorCategory.InvalidOperation, null));
            return RunResult.Failed;
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
            }
            _terminal.Progress.Reset();
        }
    }

    private bool StopWasRequested()
    {
        lock (_gate)
        {
            return _stopRequested;
        }
    }
}
