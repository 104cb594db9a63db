using System;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace PsSockets.Shell;

/// <summary>
/// The read-eval-print loop: evaluate the `prompt` function, read a line (more lines while the
/// input is an unfinished statement), run it through Out-Default, until `exit` or Ctrl+D.
/// </summary>
internal sealed class InteractiveShell
{
    /// <summary>The default prompt: the open sockets and the location, e.g. "PsSockets [2] /tmp> ".</summary>
    public const string DefaultPromptFunction =
        "function global:prompt { \"PsSockets [$(@(Get-Socket -ErrorAction Ignore).Count)] $($executionContext.SessionState.Path.CurrentLocation)> \" }";

    private const string ContinuationPrompt = ">> ";

    private readonly Runspace _runspace;
    private readonly ScriptRunner _runner;
    private readonly ShellHost _host;
    private readonly LineEditor _editor;

    public InteractiveShell(Runspace runspace, ScriptRunner runner, ShellHost host, Terminal terminal)
    {
        _runspace = runspace;
        _runner = runner;
        _host = host;
        _editor = new LineEditor(terminal, Complete);
    }

    /// <summary>Runs until `exit` (its number is returned) or the end of input (0).</summary>
    public int Run()
    {
        while (!_host.ShouldExit)
        {
            var outcome = _editor.ReadLine(Prompt(), out string input);
            if (outcome == LineOutcome.EndOfInput)
            {
                return 0;
            }
            if (outcome == LineOutcome.Cancelled || string.IsNullOrWhiteSpace(input))
            {
                continue;
            }
            while (IsUnfinished(input))
            {
                outcome = _editor.ReadLine(ContinuationPrompt, out string more);
                if (outcome != LineOutcome.Line)
                {
                    break;
                }
                input += "\n" + more;
            }
            if (outcome != LineOutcome.Line)
            {
                continue; // Ctrl+C or Ctrl+D in the middle of a statement drops it
            }
            _runner.RunScript(input, addToHistory: true);
        }
        return _host.ExitCode;
    }

    private string Prompt()
    {
        var output = _runner.Evaluate("prompt");
        string prompt = string.Concat(output.Select(o => o?.ToString()));
        return prompt.Length > 0 ? prompt : "PS> ";
    }

    /// <summary>True when the text parses only as the beginning of a statement (an open brace, quote, here-string...).</summary>
    private static bool IsUnfinished(string input)
    {
        Parser.ParseInput(input, out _, out ParseError[] errors);
        return errors.Length > 0 && errors.Any(e => e.IncompleteInput);
    }

    private CommandCompletion? Complete(string input, int cursor)
    {
        try
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            return CommandCompletion.CompleteInput(input, cursor, null, ps);
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException)
        {
            return null;
        }
    }
}
