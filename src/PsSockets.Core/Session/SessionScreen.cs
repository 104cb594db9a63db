using System;
using System.Text;

namespace PsSockets;

/// <summary>
/// The terminal side of an interactive session, as the text to write (with VT100 sequences) for each event, so it
/// needs no terminal to be tested. The last line of the screen holds what arrived after the peer's last newline (a
/// prompt of the peer's, say), then the session's prompt and what the user has typed so far. When something arrives
/// that line is erased, the arrival printed, and the line drawn again: half-typed input is never mangled.
/// </summary>
public sealed class SessionScreen
{
    private const string EraseLine = "\r\u001b[K";

    private readonly StringBuilder _input = new();
    private string _tail = string.Empty;
    private bool _ended;

    public SessionScreen(string prompt) => Prompt = prompt;

    public string Prompt { get; }

    /// <summary>What the user has typed on the current line.</summary>
    public string Input => _input.ToString();

    /// <summary>The line as it is drawn: the peer's unfinished line, the prompt, the input.</summary>
    public string Redraw() => _tail + Prompt + _input;

    /// <summary>Text that arrived: printed where it belongs, then the input line again.</summary>
    public string Arrived(string text)
    {
        if (text.Length == 0)
        {
            return string.Empty;
        }
        string shown = _tail + text;
        int lastNewLine = shown.LastIndexOf('\n');
        string finished = lastNewLine < 0 ? string.Empty : shown[..(lastNewLine + 1)];
        _tail = shown[(lastNewLine + 1)..];
        return EraseLine + Crlf(finished) + Redraw();
    }

    /// <summary>Lines that stand alone (a hex dump, a datagram, a notice): each on a line of its own, then the input line again.</summary>
    public string Block(string[] lines) => Block(lines, last: false);

    /// <summary>The last lines of the session (the peer closed): no input line after them.</summary>
    public string Last(string[] lines) => Block(lines, last: true);

    private string Block(string[] lines, bool last)
    {
        var text = new StringBuilder(EraseLine);
        if (_tail.Length > 0)
        {
            text.Append(_tail).Append("\r\n");
            _tail = string.Empty;
        }
        foreach (string line in lines)
        {
            text.Append(line).Append("\r\n");
        }
        _ended = last;
        return (last ? text : text.Append(Redraw())).ToString();
    }

    /// <summary>A typed character: added to the input and echoed.</summary>
    public string Typed(char c)
    {
        _input.Append(c);
        return c.ToString();
    }

    /// <summary>Backspace: the last character goes (a surrogate pair whole).</summary>
    public string Backspace()
    {
        if (_input.Length == 0)
        {
            return string.Empty;
        }
        int cut = _input.Length >= 2 && char.IsLowSurrogate(_input[^1]) ? 2 : 1;
        _input.Length -= cut;
        return EraseLine + Redraw();
    }

    /// <summary>Ctrl+U: the whole input goes.</summary>
    public string ClearInput()
    {
        _input.Clear();
        return EraseLine + Redraw();
    }

    /// <summary>Enter: the typed line is taken (returned in <paramref name="line"/>) and stays on the screen; a new line starts.</summary>
    public string Enter(out string line)
    {
        line = _input.ToString();
        _input.Clear();
        _tail = string.Empty;
        return "\r\n";
    }

    /// <summary>Leaving: the input line is ended so what follows starts on a line of its own.</summary>
    public string Leave() => !_ended && _tail.Length + Prompt.Length + _input.Length > 0 ? "\r\n" : string.Empty;

    private static string Crlf(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
}
