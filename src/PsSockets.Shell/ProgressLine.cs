using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace PsSockets.Shell;

/// <summary>
/// Write-Progress as one line on stderr, redrawn in place, when stderr is a terminal; nothing
/// at all otherwise (progress never ends up in a log or a pipe). Any other write clears it first.
/// </summary>
internal sealed class ProgressLine
{
    private static readonly TimeSpan s_redrawEvery = TimeSpan.FromMilliseconds(100);

    private readonly Terminal _terminal;
    private readonly List<(long Source, ProgressRecord Record)> _active = new();
    private readonly Stopwatch _sinceDraw = new();
    private bool _shown;

    public ProgressLine(Terminal terminal) => _terminal = terminal;

    public void Update(long sourceId, ProgressRecord record)
    {
        if (!_terminal.ErrorIsTerminal || record is null)
        {
            return;
        }
        lock (_terminal.Gate)
        {
            int index = _active.FindIndex(a => a.Source == sourceId && a.Record.ActivityId == record.ActivityId);
            if (record.RecordType == ProgressRecordType.Completed)
            {
                if (index >= 0)
                {
                    _active.RemoveAt(index);
                }
            }
            else if (index >= 0)
            {
                _active[index] = (sourceId, record);
            }
            else
            {
                _active.Add((sourceId, record));
            }
            // The line shows the newest activity still going (a child over its parent).
            ProgressRecord? latest = _active.Count > 0 ? _active[^1].Record : null;
            if (latest is null)
            {
                ClearLocked();
                return;
            }
            // Redraw at most ten times a second: a tight loop of Write-Progress must not cost a terminal write each.
            if (_shown && _sinceDraw.IsRunning && _sinceDraw.Elapsed < s_redrawEvery && record.RecordType != ProgressRecordType.Completed)
            {
                return;
            }
            Draw(latest);
        }
    }

    /// <summary>Removes the line so that other text starts at column 0; the caller holds the terminal's lock.</summary>
    internal void ClearLocked()
    {
        if (_shown)
        {
            Console.Error.Write("\r\u001b[K");
            Console.Error.Flush();
            _shown = false;
        }
    }

    /// <summary>Forgets every activity (a command ended; progress it left behind is stale).</summary>
    public void Reset()
    {
        lock (_terminal.Gate)
        {
            _active.Clear();
            ClearLocked();
        }
    }

    private void Draw(ProgressRecord record)
    {
        var text = new StringBuilder();
        text.Append(record.Activity);
        if (!string.IsNullOrEmpty(record.StatusDescription))
        {
            text.Append(": ").Append(record.StatusDescription);
        }
        if (record.PercentComplete >= 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" [{Math.Min(record.PercentComplete, 100)}%]");
        }
        if (record.SecondsRemaining >= 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" {TimeSpan.FromSeconds(record.SecondsRemaining)} left");
        }
        if (!string.IsNullOrEmpty(record.CurrentOperation))
        {
            text.Append(' ').Append(record.CurrentOperation);
        }
        int width = ShellRawUserInterface.TerminalWidth() - 1;
        string line = text.ToString().Replace('\n', ' ').Replace('\r', ' ');
        if (width > 3 && line.Length > width)
        {
            line = line[..(width - 3)] + "...";
        }
        Console.Error.Write("\r\u001b[K\u001b[96m" + line + "\u001b[0m");
        Console.Error.Flush();
        _shown = true;
        _sinceDraw.Restart();
    }
}
