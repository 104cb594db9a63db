using System;
using System.Collections.Generic;
using System.Globalization;

namespace PsSockets.Bench;

internal enum Better
{
    Higher,
    Lower,
}

/// <summary>A goal from design.md ("Performance goals") or issue 4, checked against a row's medians.</summary>
internal sealed record Goal(string Text, Func<Row, bool?> Met)
{
    public static Goal VsPython(double atLeast, string source) =>
        new($"≥{atLeast.ToString("0.0#", CultureInfo.InvariantCulture)}x python3 ({source})", r => r.RatioToPython is { } x ? x >= atLeast : null);

    public static Goal VsRaw(double atLeast, string source) =>
        new($"≥{atLeast.ToString("0.0#", CultureInfo.InvariantCulture)}x raw ({source})", r => r.RatioToRaw is { } x ? x >= atLeast : null);

    public static Goal AtMost(double value, string unit, string source) =>
        new($"<{value.ToString(CultureInfo.InvariantCulture)} {unit} ({source})", r => r.Ps.Median is { } v ? v < value : null);
}

/// <summary>One line of the table: a scenario measured for PsSockets, raw .NET and python3.</summary>
internal sealed class Row
{
    public Row(string group, string name, string unit, Better better)
    {
        Group = group;
        Name = name;
        Unit = unit;
        Better = better;
    }

    public string Group { get; }
    public string Name { get; }
    public string Unit { get; }
    public Better Better { get; }

    public Samples Ps { get; } = new();
    /// <summary>Rows that run against the same baseline share these (settable for that).</summary>
    public Samples Raw { get; set; } = new();
    public Samples Py { get; set; } = new();

    /// <summary>Why a column has no number (the feature is not there yet, python3 is missing...).</summary>
    public string? PsMissing { get; set; }
    public string? RawMissing { get; set; }
    public string? PyMissing { get; set; }

    /// <summary>Command-line tools (socat, ncat) doing the same work, where installed: tool name to its samples.</summary>
    public SortedDictionary<string, Samples> Tools { get; } = new(StringComparer.Ordinal);

    public List<Goal> Goals { get; } = new();
    public List<string> Notes { get; } = new();

    /// <summary>When false the ratio columns stay empty (memory: the numbers are sizes, not speeds).</summary>
    public bool ShowRatios { get; set; } = true;

    /// <summary>PsSockets speed over the baseline's: above 1 PsSockets is faster, whichever way the unit points.</summary>
    public double? RatioToRaw => Ratio(Ps.Median, Raw.Median);

    public double? RatioToPython => Ratio(Ps.Median, Py.Median);

    public double? RatioTo(Samples other) => Ratio(Ps.Median, other.Median);

    private double? Ratio(double? ps, double? other)
    {
        if (!ShowRatios || ps is not { } p || other is not { } o || p <= 0 || o <= 0)
        {
            return null;
        }
        return Better == Better.Higher ? p / o : o / p;
    }

    public string Cell(Samples s, string? missing) =>
        s.Median is { } m ? Format(m)
        : missing is not null ? "n/a"
        : s.Error is not null ? "error"
        : "n/a";

    public string Format(double v) => Unit switch
    {
        "GB/s" => v.ToString("0.00", CultureInfo.InvariantCulture),
        "ms" or "ms/call" => v < 1 ? v.ToString("0.000", CultureInfo.InvariantCulture) : v.ToString("0.00", CultureInfo.InvariantCulture),
        "MiB" => v.ToString("0", CultureInfo.InvariantCulture),
        _ => v >= 100 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.0", CultureInfo.InvariantCulture),
    };

    public static string FormatRatio(double? r) => r is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "";

    /// <summary>"met", "NOT met" or "" per goal, joined.</summary>
    public string GoalStatus()
    {
        var parts = new List<string>();
        foreach (var g in Goals)
        {
            parts.Add(g.Met(this) switch
            {
                true => "met",
                false => "NOT met",
                null => "not measured",
            });
        }
        return string.Join("; ", parts);
    }
}

/// <summary>One point series of the chart: throughput against message size.</summary>
internal sealed record Series(string Name, string Color, SortedDictionary<int, double> Points);
