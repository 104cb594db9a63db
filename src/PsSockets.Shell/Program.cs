using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PsSockets.Shell;

/// <summary>
/// pssockets: a console host on the PowerShell 7.6 engine with the PsSockets module imported.
/// Runs -Command text, a -File script, a script piped to stdin, or an interactive prompt.
/// </summary>
internal static class Program
{
    private const int ExitSuccess = 0;
    private const int ExitFailure = 1;
    private const int ExitUsage = 64;
    private const int ExitInterrupted = 130;

    public static int Main(string[] args)
    {
        var options = ShellOptions.Parse(args, out string? usageError);
        if (usageError is not null)
        {
            Console.Error.WriteLine(usageError);
            return ExitUsage;
        }
        if (options.Help)
        {
            Console.Out.WriteLine(ShellOptions.HelpText(DescribeModule()));
            return ExitSuccess;
        }
        if (options.Version)
        {
            Console.Out.WriteLine($"PsSockets.Shell {ProductVersion(typeof(Program))} on PowerShell {ProductVersion(typeof(PSObject))}");
            return ExitSuccess;
        }

        var terminal = new Terminal();
        var host = new ShellHost(terminal);
        bool interactive = options.Command is null && options.File is null && !options.CommandFromStdin && terminal.InputIsTerminal;
        bool scriptFromStdin = options.CommandFromStdin || (options.Command is null && options.File is null && !terminal.InputIsTerminal);
        host.ShellUI.NonInteractive = options.NonInteractive || !terminal.InputIsTerminal || scriptFromStdin;

        using var runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
        runspace.Open();
        var runner = new ScriptRunner(runspace, host, terminal);

        // Ctrl+C stops the running command and never the shell; with nothing running, a script
        // shell (not the interactive one) lets it end the process as usual.
        Console.CancelKeyPress += (_, e) =>
        {
            bool stopped = runner.StopRunning();
            e.Cancel = stopped || interactive;
        };

        Prepare(runspace, runner, options);
        if (host.ShouldExit)
        {
            return host.ExitCode; // the profile ran `exit`
        }

        if (options.File is not null)
        {
            return RunFile(runner, host, options);
        }
        if (options.Command is not null || scriptFromStdin)
        {
            string script = options.Command ?? Console.In.ReadToEnd();
            return CommandExitCode(runner.RunCommand(script), runner, host);
        }

        if (!options.NoLogo)
        {
            var versions = runner.Evaluate("'{0}|{1}' -f (Get-Module PsSockets).Version, $PSVersionTable.PSVersion");
            string[] parts = (versions.FirstOrDefault()?.ToString() ?? "|").Split('|');
            host.UI.WriteLine($"PsSockets {parts[0]} on PowerShell {parts[1]}. Type 'exit' or Ctrl+D to leave, Ctrl+C stops a command.");
        }
        return new InteractiveShell(runspace, runner, host, terminal).Run();
    }

    /// <summary>Imports the module, sets the prompt, and runs the profile unless -NoProfile.</summary>
    private static void Prepare(Runspace runspace, ScriptRunner runner, ShellOptions options)
    {
        try
        {
            string module = ModuleLocator.Locate(out _);
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddCommand("Import-Module").AddParameter("Name", module).AddParameter("ErrorAction", ActionPreference.Stop);
            ps.Invoke();
        }
        catch (RuntimeException e)
        {
            runner.ReportError(e.ErrorRecord);
        }
        catch (FileNotFoundException e)
        {
            runner.ReportError(new ErrorRecord(e, "PsSocketsModuleNotFound", ErrorCategory.ObjectNotFound, ModuleLocator.EnvironmentVariable));
        }

        runner.Evaluate(InteractiveShell.DefaultPromptFunction);

        string profile = ProfilePath();
        runspace.SessionStateProxy.SetVariable("PROFILE", profile);
        if (!options.NoProfile && File.Exists(profile))
        {
            runner.RunFile(profile, []);
        }
    }

    /// <summary>
    /// -File: `exit N` gives N, a terminating error 1, anything else 0 (non-terminating errors
    /// included, as pwsh). `exit N` in a file ends the file and leaves N in $LASTEXITCODE.
    /// </summary>
    private static int RunFile(ScriptRunner runner, ShellHost host, ShellOptions options)
    {
        string path = Path.GetFullPath(options.File!);
        if (!File.Exists(path))
        {
            runner.ReportError(new ErrorRecord(new FileNotFoundException($"The script file '{options.File}' does not exist.", path),
                "ScriptFileNotFound", ErrorCategory.ObjectNotFound, path));
            return ExitUsage;
        }
        runner.ClearLastExitCode();
        var result = runner.RunFile(path, options.FileArguments);
        if (host.ShouldExit)
        {
            return host.ExitCode;
        }
        return result switch
        {
            RunResult.Failed => ExitFailure,
            RunResult.Stopped => ExitInterrupted,
            _ => runner.LastExitCode() ?? ExitSuccess,
        };
    }

    /// <summary>-Command and stdin: `exit N` gives N, a terminating error 1, a failed last statement ($? false) 1, else 0.</summary>
    private static int CommandExitCode(RunResult result, ScriptRunner runner, ShellHost host)
    {
        if (host.ShouldExit)
        {
            return host.ExitCode;
        }
        return result switch
        {
            RunResult.Failed => ExitFailure,
            RunResult.Stopped => ExitInterrupted,
            _ => runner.LastStatementSucceeded() ? ExitSuccess : ExitFailure,
        };
    }

    private static string ProfilePath()
    {
        string? config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(config))
        {
            config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        }
        return Path.Combine(config, "pssockets", "profile.ps1");
    }

    /// <summary>An assembly's informational version without its source revision ("7.6.9", not "7.6.0.500").</summary>
    private static string ProductVersion(Type type)
    {
        string? version = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return version is null ? type.Assembly.GetName().Version?.ToString() ?? "?" : version.Split('+', ' ')[0];
    }

    private static string DescribeModule()
    {
        try
        {
            string path = ModuleLocator.Locate(out string source);
            return $"{path} (from {source})";
        }
        catch (FileNotFoundException e)
        {
            return e.Message;
        }
    }
}
