using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace PsSockets.Shell;

/// <summary>
/// Text in and out: output on stdout, errors and the other streams on stderr with their
/// prefixes (WARNING:, VERBOSE:, DEBUG:, INFO:), progress as one line on a terminal, and the
/// prompts the engine needs (missing mandatory parameters, -Confirm). VT escapes are kept on a
/// terminal and stripped when redirected, as $PSStyle.OutputRendering decides.
/// </summary>
internal sealed class ShellUserInterface : PSHostUserInterface
{
    [ThreadStatic]
    private static string? t_information;

    private readonly Terminal _terminal;
    private readonly ShellRawUserInterface _rawUI;

    public ShellUserInterface(Terminal terminal)
    {
        _terminal = terminal;
        _rawUI = new ShellRawUserInterface(terminal);
    }

    /// <summary>Set by -NonInteractive (or when stdin is not a terminal): prompting fails instead of waiting.</summary>
    public bool NonInteractive { get; set; }

    public override PSHostRawUserInterface RawUI => _rawUI;

    public override bool SupportsVirtualTerminal => _terminal.OutputIsTerminal;

    public override string ReadLine()
    {
        EnsureInteractive("read a line");
        return Console.ReadLine() ?? throw new PromptingException("Standard input ended while a line was expected.");
    }

    public override SecureString ReadLineAsSecureString()
    {
        EnsureInteractive("read a secret");
        var secret = new SecureString();
        if (!_terminal.InputIsTerminal)
        {
            foreach (char c in Console.ReadLine() ?? string.Empty)
            {
                secret.AppendChar(c);
            }
        }
        else
        {
            for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
            {
                if (key.Key == ConsoleKey.Backspace)
                {
                    if (secret.Length > 0)
                    {
                        secret.RemoveAt(secret.Length - 1);
                    }
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    secret.AppendChar(key.KeyChar);
                }
            }
            _terminal.Out(Environment.NewLine);
        }
        secret.MakeReadOnly();
        return secret;
    }

    public override void Write(string value) => _terminal.Out(Render(value));

    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) =>
        _terminal.Out(Render(value), foregroundColor == _rawUI.ForegroundColor ? null : foregroundColor);

    public override void WriteErrorLine(string value) => _terminal.Error(RenderError(value) + Environment.NewLine, ConsoleColor.Red);

    public override void WriteWarningLine(string message) => _terminal.Error("WARNING: " + RenderError(message) + Environment.NewLine, ConsoleColor.Yellow);

    public override void WriteVerboseLine(string message) => _terminal.Error("VERBOSE: " + RenderError(message) + Environment.NewLine, ConsoleColor.Cyan);

    public override void WriteDebugLine(string message) => _terminal.Error("DEBUG: " + RenderError(message) + Environment.NewLine, ConsoleColor.Yellow);

    /// <summary>
    /// The engine tells the host about every information record here, shown or not, then prints
    /// the ones the preference shows itself, with WriteLine (Write-Host's with Write). The text is
    /// noted so that this WriteLine prints as INFO: on stderr; Write-Host text stays plain output.
    /// </summary>
    public override void WriteInformation(InformationRecord record) =>
        t_information = record is null || record.Tags.Contains("PSHOST") ? null : record.ToString();

    public override void WriteLine(string value)
    {
        string? information = t_information;
        t_information = null;
        if (information is not null && value == information && CalledFromWriteInformation())
        {
            _terminal.Error("INFO: " + RenderError(value) + Environment.NewLine, ConsoleColor.Green);
            return;
        }
        _terminal.Out(Render(value) + Environment.NewLine);
    }

    public override void WriteProgress(long sourceId, ProgressRecord record) => _terminal.Progress.Update(sourceId, record);

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
    {
        ArgumentNullException.ThrowIfNull(descriptions);
        EnsureInteractive("prompt for " + string.Join(", ", descriptions.Select(d => d.Name)));
        WriteCaption(caption, message);
        var results = new Dictionary<string, PSObject>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in descriptions)
        {
            string label = string.IsNullOrEmpty(field.Label) ? field.Name : field.Label.Replace("&", string.Empty, StringComparison.Ordinal);
            bool isArray = field.ParameterTypeFullName.EndsWith("[]", StringComparison.Ordinal);
            if (isArray)
            {
                // One element per line, an empty line ends the list (as pwsh does).
                var items = new List<string>();
                for (int i = 0; ; i++)
                {
                    _terminal.Out(string.Create(CultureInfo.InvariantCulture, $"{label}[{i}]: "));
                    string line = ReadPromptLine();
                    if (line.Length == 0)
                    {
                        break;
                    }
                    items.Add(line);
                }
                results[field.Name] = new PSObject(items.ToArray());
            }
            else if (field.ParameterTypeFullName == typeof(SecureString).FullName)
            {
                _terminal.Out(label + ": ");
                results[field.Name] = new PSObject(ReadLineAsSecureString());
            }
            else
            {
                _terminal.Out(label + ": ");
                results[field.Name] = new PSObject(ReadPromptLine());
            }
        }
        return results;
    }

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
    {
        ArgumentNullException.ThrowIfNull(choices);
        EnsureInteractive("ask: " + message);
        WriteCaption(caption, message);
        var hotkeys = choices.Select(HotKey).ToArray();
        var menu = new StringBuilder();
        for (int i = 0; i < choices.Count; i++)
        {
            menu.Append(CultureInfo.InvariantCulture, $"[{hotkeys[i]}] {choices[i].Label.Replace("&", string.Empty, StringComparison.Ordinal)}  ");
        }
        menu.Append("[?] Help");
        if (defaultChoice >= 0 && defaultChoice < choices.Count)
        {
            menu.Append(CultureInfo.InvariantCulture, $" (default is \"{hotkeys[defaultChoice]}\")");
        }
        while (true)
        {
            _terminal.Out(menu + ": ");
            string answer = ReadPromptLine().Trim();
            if (answer.Length == 0 && defaultChoice >= 0 && defaultChoice < choices.Count)
            {
                return defaultChoice;
            }
            if (answer == "?")
            {
                for (int i = 0; i < choices.Count; i++)
                {
                    _terminal.Out($"{hotkeys[i]} - {choices[i].HelpMessage}{Environment.NewLine}");
                }
                continue;
            }
            for (int i = 0; i < choices.Count; i++)
            {
                if (string.Equals(answer, hotkeys[i], StringComparison.OrdinalIgnoreCase)
                    || string.Equals(answer, choices[i].Label.Replace("&", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }
    }

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        PromptForCredential(caption, message, userName, targetName, PSCredentialTypes.Default, PSCredentialUIOptions.Default);

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
    {
        EnsureInteractive("prompt for a credential");
        WriteCaption(caption, message);
        if (string.IsNullOrEmpty(userName))
        {
            _terminal.Out("User: ");
            userName = ReadPromptLine();
        }
        _terminal.Out("Password for user " + userName + ": ");
        return new PSCredential(userName, ReadLineAsSecureString());
    }

    /// <summary>Keeps VT escapes on a terminal, strips them when redirected ($PSStyle.OutputRendering has the last word).</summary>
    private string Render(string? text) => text is null ? string.Empty : GetOutputString(text, _terminal.OutputIsTerminal);

    private string RenderError(string? text) => text is null ? string.Empty : GetOutputString(text, _terminal.ErrorIsTerminal);

    private void WriteCaption(string caption, string message)
    {
        if (!string.IsNullOrEmpty(caption))
        {
            _terminal.Out(caption + Environment.NewLine);
        }
        if (!string.IsNullOrEmpty(message))
        {
            _terminal.Out(message + Environment.NewLine);
        }
    }

    private string ReadPromptLine() =>
        Console.ReadLine() ?? throw new PromptingException("Standard input ended while an answer was expected.");

    private void EnsureInteractive(string what)
    {
        if (NonInteractive)
        {
            throw new PromptingException($"The shell is non-interactive and cannot {what}.");
        }
    }

    /// <summary>
    /// True when this WriteLine is the engine showing an information record (it comes from the
    /// command runtime's WriteInformation), not output that happens to have the same text after a
    /// record that was not shown. Only asked when the text matches the last record.
    /// </summary>
    private static bool CalledFromWriteInformation()
    {
        foreach (var frame in new StackTrace(skipFrames: 2, fNeedFileInfo: false).GetFrames())
        {
            var method = frame.GetMethod();
            if (method?.Name == "WriteInformation" && method.DeclaringType?.Assembly == typeof(PSObject).Assembly)
            {
                return true;
            }
        }
        return false;
    }

    private static string HotKey(ChoiceDescription choice)
    {
        int amp = choice.Label.IndexOf('&', StringComparison.Ordinal);
        return amp >= 0 && amp + 1 < choice.Label.Length
            ? char.ToUpperInvariant(choice.Label[amp + 1]).ToString()
            : choice.Label.Length > 0 ? choice.Label[..1].ToUpperInvariant() : "?";
    }
}
