using System;
using System.IO;

namespace PsSockets.Shell;

/// <summary>
/// The process's console: which of stdin/stdout/stderr are terminals, colours (only on a
/// terminal, and never with NO_COLOR), and one lock so that text and the progress line do not
/// interleave. Every write of the host goes through here.
/// </summary>
internal sealed class Terminal
{
    private readonly object _gate = new();
    private readonly bool _colors;

    public Terminal()
    {
        InputIsTerminal = !Console.IsInputRedirected;
        OutputIsTerminal = !Console.IsOutputRedirected;
        ErrorIsTerminal = !Console.IsErrorRedirected;
        _colors = Environment.GetEnvironmentVariable("NO_COLOR") is null or "";
        Progress = new ProgressLine(this);
    }

    public bool InputIsTerminal { get; }

    public bool OutputIsTerminal { get; }

    public bool ErrorIsTerminal { get; }

    public ProgressLine Progress { get; }

    /// <summary>The lock every console write takes (the progress line takes it too).</summary>
    internal object Gate => _gate;

    public void Out(string text, ConsoleColor? color = null) => Write(Console.Out, OutputIsTerminal, text, color);

    public void Error(string text, ConsoleColor? color = null) => Write(Console.Error, ErrorIsTerminal, text, color);

    private void Write(TextWriter writer, bool isTerminal, string text, ConsoleColor? color)
    {
        lock (_gate)
        {
            Progress.ClearLocked();
            if (color is { } c && isTerminal && _colors)
            {
                writer.Write(Ansi(c));
                writer.Write(text);
                writer.Write("\u001b[0m");
            }
            else
            {
                writer.Write(text);
            }
            writer.Flush();
        }
    }

    private static string Ansi(ConsoleColor color) => color switch
    {
        ConsoleColor.Black => "\u001b[30m",
        ConsoleColor.DarkRed => "\u001b[31m",
        ConsoleColor.DarkGreen => "\u001b[32m",
        ConsoleColor.DarkYellow => "\u001b[33m",
        ConsoleColor.DarkBlue => "\u001b[34m",
        ConsoleColor.DarkMagenta => "\u001b[35m",
        ConsoleColor.DarkCyan => "\u001b[36m",
        ConsoleColor.Gray => "\u001b[37m",
        ConsoleColor.DarkGray => "\u001b[90m",
        ConsoleColor.Red => "\u001b[91m",
        ConsoleColor.Green => "\u001b[92m",
        ConsoleColor.Yellow => "\u001b[93m",
        ConsoleColor.Blue => "\u001b[94m",
        ConsoleColor.Magenta => "\u001b[95m",
        ConsoleColor.Cyan => "\u001b[96m",
        _ => "\u001b[97m",
    };
}
