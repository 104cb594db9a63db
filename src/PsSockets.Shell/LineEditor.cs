using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;

namespace PsSockets.Shell;

/// <summary>How reading a line at the prompt ended.</summary>
internal enum LineOutcome
{
    /// <summary>Enter: the line is ready.</summary>
    Line,

    /// <summary>Ctrl+C: the line is discarded.</summary>
    Cancelled,

    /// <summary>Ctrl+D on an empty line, or the end of input: leave the shell.</summary>
    EndOfInput,
}

/// <summary>
/// A small single-line editor for the interactive prompt, on a terminal in raw mode: history
/// (Up/Down), cursor moves (Left/Right/Home/End, Ctrl+A/E/B/F), deletion (Backspace, Delete,
/// Ctrl+U/K/W), Tab completion through the engine, Ctrl+C to discard the line and Ctrl+D to leave.
/// Ctrl+C reaches it as a key (TreatControlCAsInput) only while a line is being read, so a running
/// command still gets it as the signal that stops it.
/// </summary>
internal sealed class LineEditor
{
    private const int MaxHistory = 1000;

    private readonly Terminal _terminal;
    private readonly Func<string, int, CommandCompletion?> _complete;
    private readonly List<string> _history = new();

    private readonly StringBuilder _buffer = new();
    private string _prompt = string.Empty;
    private int _cursor;

    // Tab cycling: the completion in progress and the next match to offer.
    private CommandCompletion? _completion;
    private int _completionIndex;
    private string _completionBase = string.Empty;

    public LineEditor(Terminal terminal, Func<string, int, CommandCompletion?> complete)
    {
        _terminal = terminal;
        _complete = complete;
    }

    public IReadOnlyList<string> History => _history;

    public LineOutcome ReadLine(string prompt, out string line)
    {
        _prompt = prompt;
        _buffer.Clear();
        _cursor = 0;
        _completion = null;
        int historyIndex = _history.Count;
        string pending = string.Empty; // the line being typed while browsing history

        bool treatControlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            _terminal.Out(prompt);
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                bool control = (key.Modifiers & ConsoleModifiers.Control) != 0;
                if (key.Key != ConsoleKey.Tab)
                {
                    _completion = null;
                }

                if (key.KeyChar == '\u0003' || (control && key.Key == ConsoleKey.C))
                {
                    MoveToEnd();
                    _terminal.Out("^C" + Environment.NewLine);
                    line = string.Empty;
                    return LineOutcome.Cancelled;
                }
                if (key.KeyChar == '\u0004' || (control && key.Key == ConsoleKey.D))
                {
                    if (_buffer.Length == 0)
                    {
                        _terminal.Out(Environment.NewLine);
                        line = string.Empty;
                        return LineOutcome.EndOfInput;
                    }
                    Delete(_cursor, 1);
                    continue;
                }
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        MoveToEnd();
                        _terminal.Out(Environment.NewLine);
                        line = _buffer.ToString();
                        Remember(line);
                        return LineOutcome.Line;
                    case ConsoleKey.Backspace:
                        if (_cursor > 0)
                        {
                            _cursor--;
                            Delete(_cursor, 1);
                        }
                        continue;
                    case ConsoleKey.Delete:
                        Delete(_cursor, 1);
                        continue;
                    case ConsoleKey.LeftArrow:
                        MoveTo(_cursor - 1);
                        continue;
                    case ConsoleKey.RightArrow:
                        MoveTo(_cursor + 1);
                        continue;
                    case ConsoleKey.Home:
                        MoveTo(0);
                        continue;
                    case ConsoleKey.End:
                        MoveTo(_buffer.Length);
                        continue;
                    case ConsoleKey.UpArrow:
                    case ConsoleKey.DownArrow:
                        if (historyIndex == _history.Count)
                        {
                            pending = _buffer.ToString();
                        }
                        historyIndex = Math.Clamp(historyIndex + (key.Key == ConsoleKey.UpArrow ? -1 : 1), 0, _history.Count);
                        Replace(historyIndex == _history.Count ? pending : _history[historyIndex]);
                        continue;
                    case ConsoleKey.Tab:
                        Complete((key.Modifiers & ConsoleModifiers.Shift) != 0);
                        continue;
                    case ConsoleKey.Escape:
                        Replace(string.Empty);
                        continue;
                }
                if (control)
                {
                    switch (key.Key)
                    {
                        case ConsoleKey.A:
                            MoveTo(0);
                            break;
                        case ConsoleKey.E:
                            MoveTo(_buffer.Length);
                            break;
                        case ConsoleKey.B:
                            MoveTo(_cursor - 1);
                            break;
                        case ConsoleKey.F:
                            MoveTo(_cursor + 1);
                            break;
                        case ConsoleKey.U:
                            int before = _cursor;
                            _cursor = 0;
                            Delete(0, before);
                            break;
                        case ConsoleKey.K:
                            Delete(_cursor, _buffer.Length - _cursor);
                            break;
                        case ConsoleKey.W:
                            int start = _cursor;
                            while (start > 0 && char.IsWhiteSpace(_buffer[start - 1]))
                            {
                                start--;
                            }
                            while (start > 0 && !char.IsWhiteSpace(_buffer[start - 1]))
                            {
                                start--;
                            }
                            int count = _cursor - start;
                            _cursor = start;
                            Delete(start, count);
                            break;
                        case ConsoleKey.L:
                            _terminal.Out("\u001b[2J\u001b[H");
                            Redraw();
                            break;
                    }
                    continue;
                }
                if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
                {
                    Insert(key.KeyChar.ToString());
                }
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlC;
        }
    }

    private void Remember(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || (_history.Count > 0 && _history[^1] == line))
        {
            return;
        }
        _history.Add(line);
        if (_history.Count > MaxHistory)
        {
            _history.RemoveAt(0);
        }
    }

    private void Insert(string text)
    {
        bool atEnd = _cursor == _buffer.Length;
        _buffer.Insert(_cursor, text);
        _cursor += text.Length;
        if (atEnd)
        {
            _terminal.Out(text); // the common case: typing at the end needs no redraw
        }
        else
        {
            Redraw();
        }
    }

    private void Delete(int index, int count)
    {
        count = Math.Min(count, _buffer.Length - index);
        if (index < 0 || count <= 0)
        {
            return;
        }
        _buffer.Remove(index, count);
        Redraw();
    }

    private void Replace(string text)
    {
        _buffer.Clear().Append(text);
        _cursor = text.Length;
        Redraw();
    }

    private void MoveTo(int position)
    {
        position = Math.Clamp(position, 0, _buffer.Length);
        if (position < _cursor)
        {
            _terminal.Out($"\u001b[{_cursor - position}D");
        }
        else if (position > _cursor)
        {
            _terminal.Out($"\u001b[{position - _cursor}C");
        }
        _cursor = position;
    }

    private void MoveToEnd() => MoveTo(_buffer.Length);

    /// <summary>Rewrites the prompt and the line from column 0 and puts the cursor back.</summary>
    private void Redraw()
    {
        var text = new StringBuilder("\r");
        int lastLine = _prompt.LastIndexOf('\n');
        text.Append(lastLine >= 0 ? _prompt[(lastLine + 1)..] : _prompt);
        text.Append(_buffer).Append("\u001b[K");
        int back = _buffer.Length - _cursor;
        if (back > 0)
        {
            text.Append("\u001b[").Append(back).Append('D');
        }
        _terminal.Out(text.ToString());
    }

    private void Complete(bool backwards)
    {
        if (_completion is null)
        {
            _completionBase = _buffer.ToString();
            _completion = _complete(_completionBase, _cursor);
            _completionIndex = backwards ? -1 : 0;
            if (_completion is null || _completion.CompletionMatches.Count == 0)
            {
                _completion = null;
                return;
            }
        }
        else
        {
            _completionIndex += backwards ? -1 : 1;
        }
        int count = _completion.CompletionMatches.Count;
        _completionIndex = ((_completionIndex % count) + count) % count;
        string match = _completion.CompletionMatches[_completionIndex].CompletionText;
        int start = _completion.ReplacementIndex;
        int length = _completion.ReplacementLength;
        string completed = string.Concat(_completionBase.AsSpan(0, start), match, _completionBase.AsSpan(start + length));
        _buffer.Clear().Append(completed);
        _cursor = start + match.Length;
        Redraw();
    }
}
