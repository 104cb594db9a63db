using System;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// Write-Progress for one long transfer: bytes done, of how many when known, and the rate.
/// Shown only once the transfer passes a few MiB, and at most a few times a second.
/// </summary>
internal sealed class TransferProgress
{
    public const long Threshold = 4L * 1024 * 1024;
    private static readonly long s_interval = Stopwatch.Frequency / 5;
    private static int s_nextActivityId = 0x50_0000;

    private readonly Cmdlet _cmdlet;
    private readonly string _activity;
    private readonly long? _total;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly int _activityId = System.Threading.Interlocked.Increment(ref s_nextActivityId);
    private long _lastShown;
    private bool _shown;

    public TransferProgress(Cmdlet cmdlet, string activity, long? total)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _total = total;
    }

    /// <summary>Where the transfer stands; call it on the pipeline thread.</summary>
    public void Report(long done)
    {
        long now = Stopwatch.GetTimestamp();
        if (done < Threshold && (_total ?? 0) < Threshold || now - _lastShown < s_interval)
        {
            return;
        }
        _lastShown = now;
        _shown = true;
        double seconds = Math.Max((now - _started) / (double)Stopwatch.Frequency, 1e-6);
        double rate = done / seconds;
        var record = new ProgressRecord(_activityId, _activity, Status(done, rate));
        if (_total is { } total && total > 0)
        {
            record.PercentComplete = (int)Math.Min(100, done * 100 / total);
            record.SecondsRemaining = rate > 0 ? (int)Math.Ceiling((total - done) / rate) : -1;
        }
        _cmdlet.WriteProgress(record);
    }

    /// <summary>Clears the progress bar, if one was shown.</summary>
    public void Complete()
    {
        if (_shown)
        {
            _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private string Status(long done, double rate) =>
        _total is { } total
            ? $"{Size(done)} of {Size(total)} at {Size((long)rate)}/s"
            : $"{Size(done)} at {Size((long)rate)}/s";

    /// <summary>A byte count for people: 512 B, 12.0 MiB, 1.00 GiB.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        string format = unit == 0 ? "0" : value < 10 ? "0.00" : value < 100 ? "0.0" : "0";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
