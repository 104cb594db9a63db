using System;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Threading;

namespace PsSockets.Shell;

/// <summary>
/// The host the engine talks to: its UI, its culture, and `exit N` (SetShouldExit), which the
/// shell reads after every command. Nested prompts are not supported.
/// </summary>
internal sealed class ShellHost : PSHost
{
    private readonly ShellUserInterface _ui;
    private int _exitCode;
    private int _shouldExit;

    private readonly PSObject _privateData = new();

    public ShellHost(Terminal terminal)
    {
        _ui = new ShellUserInterface(terminal);
        _privateData.Properties.Add(new PSNoteProperty(nameof(LastStatementSucceeded), true));
    }

    /// <summary>$Host.PrivateData: where a -Command script leaves the $? of its last statement.</summary>
    public override PSObject PrivateData => _privateData;

    public bool LastStatementSucceeded
    {
        get => _privateData.Properties[nameof(LastStatementSucceeded)].Value is bool ok ? ok : LanguagePrimitives.IsTrue(_privateData.Properties[nameof(LastStatementSucceeded)].Value);
        set => _privateData.Properties[nameof(LastStatementSucceeded)].Value = value;
    }

    public override string Name => "PsSockets.Shell";

    public override Version Version { get; } = typeof(ShellHost).Assembly.GetName().Version ?? new Version(0, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public ShellUserInterface ShellUI => _ui;

    public override CultureInfo CurrentCulture { get; } = Thread.CurrentThread.CurrentCulture;

    public override CultureInfo CurrentUICulture { get; } = Thread.CurrentThread.CurrentUICulture;

    /// <summary>True once a script ran `exit`; <see cref="ExitCode"/> holds its number.</summary>
    public bool ShouldExit => Volatile.Read(ref _shouldExit) != 0;

    public int ExitCode => Volatile.Read(ref _exitCode);

    public override void SetShouldExit(int exitCode)
    {
        Volatile.Write(ref _exitCode, exitCode);
        Volatile.Write(ref _shouldExit, 1);
    }

    public override void EnterNestedPrompt() =>
        throw new NotSupportedException("PsSockets.Shell has no nested prompts.");

    public override void ExitNestedPrompt() =>
        throw new NotSupportedException("PsSockets.Shell has no nested prompts.");

    public override void NotifyBeginApplication()
    {
        // A native program is about to run: nothing to hand over, the console is not in a special mode then.
    }

    public override void NotifyEndApplication()
    {
    }
}
