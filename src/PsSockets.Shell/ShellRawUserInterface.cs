using System;
using System.Globalization;
using System.Management.Automation.Host;

namespace PsSockets.Shell;

/// <summary>
/// The window as the formatter sees it: the width decides how tables are laid out. On a terminal
/// it is the terminal's; redirected, $env:COLUMNS or 120 columns (so that the socket table keeps
/// all its columns in a log). Cell-buffer access is not supported: this is a line-oriented host.
/// </summary>
internal sealed class ShellRawUserInterface : PSHostRawUserInterface
{
    private const int RedirectedWidth = 120;
    private const int RedirectedHeight = 50;

    private readonly Terminal _terminal;
    private string _title = "PsSockets";

    public ShellRawUserInterface(Terminal terminal) => _terminal = terminal;

    /// <summary>The width to lay text out in: $env:COLUMNS, the terminal's width, or 120.</summary>
    public static int TerminalWidth()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int columns) && columns > 10)
        {
            return columns;
        }
        try
        {
            if (!Console.IsOutputRedirected || !Console.IsErrorRedirected)
            {
                int width = Console.WindowWidth;
                if (width > 10)
                {
                    return width;
                }
            }
        }
        catch (Exception e) when (e is System.IO.IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            // no terminal after all
        }
        return RedirectedWidth;
    }

    private static int TerminalHeight()
    {
        try
        {
            if (!Console.IsOutputRedirected)
            {
                int height = Console.WindowHeight;
                if (height > 0)
                {
                    return height;
                }
            }
        }
        catch (Exception e) when (e is System.IO.IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            // no terminal after all
        }
        return RedirectedHeight;
    }

    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public override Size BufferSize
    {
        get => new(TerminalWidth(), TerminalHeight());
        set => throw new NotSupportedException("This host cannot resize the terminal.");
    }

    public override Coordinates CursorPosition
    {
        get => new(0, 0);
        set { }
    }

    public override int CursorSize { get; set; } = 25;

    /// <summary>As pwsh's console host: with standard input redirected there are no keys to wait for, and saying "none yet" forever would hang the caller.</summary>
    public override bool KeyAvailable => _terminal.InputIsTerminal
        ? Console.KeyAvailable
        : throw new InvalidOperationException("Cannot see if a key has been pressed: standard input is redirected, not a terminal.");

    public override Size MaxPhysicalWindowSize => BufferSize;

    public override Size MaxWindowSize => BufferSize;

    public override Coordinates WindowPosition
    {
        get => new(0, 0);
        set { }
    }

    public override Size WindowSize
    {
        get => BufferSize;
        set => throw new NotSupportedException("This host cannot resize the terminal.");
    }

    public override string WindowTitle
    {
        get => _title;
        set
        {
            _title = value ?? string.Empty;
            if (_terminal.OutputIsTerminal)
            {
                _terminal.Out("\u001b]0;" + _title + "\u0007");
            }
        }
    }

    public override void FlushInputBuffer()
    {
        while (_terminal.InputIsTerminal && Console.KeyAvailable)
        {
            Console.ReadKey(intercept: true);
        }
    }

    public override KeyInfo ReadKey(ReadKeyOptions options)
    {
        if (!_terminal.InputIsTerminal)
        {
            throw new NotSupportedException("ReadKey needs a terminal; standard input is redirected.");
        }
        var key = Console.ReadKey(intercept: (options & ReadKeyOptions.NoEcho) != 0);
        return new KeyInfo((int)key.Key, key.KeyChar, ControlKeys(key.Modifiers), keyDown: true);
    }

    public override BufferCell[,] GetBufferContents(Rectangle rectangle) =>
        throw new NotSupportedException("This host does not keep a screen buffer.");

    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) =>
        throw new NotSupportedException("This host does not keep a screen buffer.");

    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) =>
        throw new NotSupportedException("This host does not keep a screen buffer.");

    public override void SetBufferContents(Rectangle rectangle, BufferCell fill)
    {
        // Clear-Host sends the whole window with blanks: clear the terminal, refuse anything else.
        if (rectangle.Left == -1 && rectangle.Top == -1 && rectangle.Right == -1 && rectangle.Bottom == -1 && fill.Character == ' ')
        {
            if (_terminal.OutputIsTerminal)
            {
                _terminal.Out("\u001b[2J\u001b[H");
            }
            return;
        }
        throw new NotSupportedException("This host does not keep a screen buffer.");
    }

    private static ControlKeyStates ControlKeys(ConsoleModifiers modifiers)
    {
        ControlKeyStates states = 0;
        if ((modifiers & ConsoleModifiers.Shift) != 0)
        {
            states |= ControlKeyStates.ShiftPressed;
        }
        if ((modifiers & ConsoleModifiers.Alt) != 0)
        {
            states |= ControlKeyStates.LeftAltPressed;
        }
        if ((modifiers & ConsoleModifiers.Control) != 0)
        {
            states |= ControlKeyStates.LeftCtrlPressed;
        }
        return states;
    }
}
