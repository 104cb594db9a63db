using System;
using System.Collections.Generic;

namespace PsSockets.Shell;

/// <summary>What to run, from the command line (pwsh's parameter names, case-insensitive, - or -- prefix).</summary>
internal sealed class ShellOptions
{
    public string? Command { get; private set; }

    /// <summary>-Command - : the script is standard input.</summary>
    public bool CommandFromStdin { get; private set; }

    public string? File { get; private set; }

    public List<string> FileArguments { get; } = new();

    public bool NoProfile { get; private set; }

    public bool NoLogo { get; private set; }

    public bool NonInteractive { get; private set; }

    public bool Help { get; private set; }

    public bool Version { get; private set; }

    /// <summary>Parses the arguments; a usage problem comes back as <paramref name="error"/>.</summary>
    public static ShellOptions Parse(string[] args, out string? error)
    {
        var options = new ShellOptions();
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith('-') || arg == "-")
            {
                // Like pwsh: a first bare argument is the script file, the rest are its arguments.
                options.File = arg;
                options.FileArguments.AddRange(args[(i + 1)..]);
                return options;
            }
            string name = arg.TrimStart('-').ToLowerInvariant();
            switch (name)
            {
                case "c":
                case "command":
                    if (i + 1 >= args.Length)
                    {
                        error = $"{arg} needs a script: -Command '<script>' (or - to read it from standard input).";
                        return options;
                    }
                    if (args[i + 1] == "-" && i + 2 == args.Length)
                    {
                        options.CommandFromStdin = true;
                    }
                    else
                    {
                        // Like pwsh: everything after -Command is the command, joined by spaces.
                        options.Command = string.Join(' ', args[(i + 1)..]);
                    }
                    return options;
                case "f":
                case "file":
                    if (i + 1 >= args.Length)
                    {
                        error = $"{arg} needs a script path: -File <path.ps1> [arguments...].";
                        return options;
                    }
                    options.File = args[i + 1];
                    options.FileArguments.AddRange(args[(i + 2)..]);
                    return options;
                case "nop":
                case "noprofile":
                    options.NoProfile = true;
                    break;
                case "nol":
                case "nologo":
                    options.NoLogo = true;
                    break;
                case "noni":
                case "noninteractive":
                    options.NonInteractive = true;
                    break;
                case "h":
                case "?":
                case "help":
                    options.Help = true;
                    break;
                case "v":
                case "version":
                    options.Version = true;
                    break;
                default:
                    error = $"Unknown parameter '{arg}'. See pssockets -Help.";
                    return options;
            }
        }
        return options;
    }

    public static string HelpText(string moduleHint) => $$"""
        pssockets - a PowerShell 7.6 console with the PsSockets module imported

        Usage:
          pssockets [-NoProfile] [-NoLogo] [-NonInteractive]
          pssockets [options] -Command '<script>' | -c '<script>'   (all remaining arguments form the script)
          pssockets [options] -Command -                           (the script is read from standard input)
          pssockets [options] -File <path.ps1> [args...] | -f ...  (args bind to the script's parameters, or $args)
          pssockets [options] <path.ps1> [args...]
          <script> | pssockets                                     (stdin redirected: run all of it as one script)
          pssockets -Help | -? | -h        pssockets -Version

        With no -Command/-File and a terminal, an interactive prompt starts:
          PsSockets [<open sockets>] <location>>   (redefine the `prompt` function to change it)
          Up/Down: history, Left/Right/Home/End (Ctrl+A/Ctrl+E): move, Tab: completion,
          Ctrl+C: stops the running command (at the prompt: discards the line),
          Ctrl+D on an empty line, or `exit`: leaves.

        Options:
          -NoProfile (-nop)       do not run the profile. Without it, the profile
                                  $XDG_CONFIG_HOME/pssockets/profile.ps1 (default ~/.config/pssockets/profile.ps1)
                                  is dot-sourced before anything runs, in every mode, when it exists.
          -NoLogo (-nol)          no banner at the interactive prompt.
          -NonInteractive (-noni) never prompt (missing mandatory parameters, -Confirm): fail instead.
                                  Implied when standard input is not a terminal.

        Output: results on stdout, formatted by the module's views (Out-Default). Errors on stderr as
          $ErrorView shows them (ConciseView; $ErrorView = 'NormalView' adds CategoryInfo and
          FullyQualifiedErrorId). WARNING:, VERBOSE:, DEBUG: and INFO: lines on stderr. Progress is
          one line on stderr when it is a terminal, and nothing otherwise.

        Exit codes (as pwsh):
          0    success.
          N    the script ran `exit N`.
          1    a terminating error ended the script (throw, -ErrorAction Stop, a parse error, arguments
               that do not bind to the -File script).
               -Command, -Command - and a script on stdin also give 1 when their last statement
               failed ($? false, e.g. Connect-Socket to a refused port).
               -File ignores non-terminating errors: 0, or the $LASTEXITCODE the script left
               (`exit N` in a file sets it; so does a native program it ran last).
          64   bad command line, or no such -File.
          130  stopped with Ctrl+C.
          The interactive shell exits with the number given to `exit`, else 0.

        Module: {{moduleHint}}
          found as $env:PSSOCKETS_MODULE (a folder or .psd1) if set, else Modules/PsSockets next to the
          shell binaries (the .NET tool package), else out/PsSockets in the repository it was built in.
        """;
}
