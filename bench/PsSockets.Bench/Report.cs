using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace PsSockets.Bench;

/// <summary>The machine a run was made on, as the report states it.</summary>
internal sealed record Machine(string Cpu, int Cores, string Os, string Dotnet, string PowerShell, string Python, string Module, string Commit, DateTime Date, string Mode);

/// <summary>The console table, docs/benchmarks.md and docs/benchmarks.svg.</summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Size(long bytes) =>
        bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB"
        : bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? $"{bytes >> 10} KiB"
        : $"{bytes} B";

    private static string[] Cells(Row r) =>
    [
        r.Name,
        r.Unit,
        r.Cell(r.Ps, r.PsMissing),
        r.Cell(r.Raw, r.RawMissing),
        r.Cell(r.Py, r.PyMissing),
        Row.FormatRatio(r.RatioToRaw),
        Row.FormatRatio(r.RatioToPython),
        string.Join("; ", r.Goals.Select(g => g.Text)),
        r.GoalStatus(),
    ];

    private static readonly string[] Header = ["scenario", "unit", "PsSockets", "raw .NET", "python3", "PS/raw", "PS/python3", "goal", "status"];

    public static string ConsoleTable(IReadOnlyList<Row> rows)
    {
        var all = new List<string[]> { Header };
        all.AddRange(rows.Select(Cells));
        int[] widths = Enumerable.Range(0, Header.Length).Select(i => all.Max(c => c[i].Length)).ToArray();
        bool[] right = [false, false, true, true, true, true, true, false, false];
        var sb = new StringBuilder();
        void Line(string[] c) => sb.AppendLine(string.Join("  ", c.Select((x, i) => right[i] ? x.PadLeft(widths[i]) : x.PadRight(widths[i]))).TrimEnd());
        Line(Header);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        string? group = null;
        foreach (var r in rows)
        {
            if (group is not null && r.Group != group)
            {
                sb.AppendLine();
            }
            group = r.Group;
            Line(Cells(r));
        }
        sb.AppendLine();
        foreach (var r in rows)
        {
            foreach (var (tool, samples) in r.Tools)
            {
                sb.AppendLine($"{r.Name}: {tool} {r.Cell(samples, null)} {r.Unit}, PsSockets ÷ {tool} {Row.FormatRatio(r.RatioTo(samples))}");
            }
        }
        sb.AppendLine("Ratios are PsSockets' speed over the baseline's (for ms, the inverse of the times): above 1.00x PsSockets is faster.");
        var missing = rows.SelectMany(r => new[] { r.PsMissing, r.RawMissing, r.PyMissing }).Where(m => m is not null && m != "-").Distinct().ToList();
        foreach (var m in missing)
        {
            sb.AppendLine("n/a: " + m);
        }
        foreach (var r in rows)
        {
            foreach (var n in r.Notes.Where(n => n.Contains("failed", StringComparison.Ordinal)))
            {
                sb.AppendLine($"{r.Name}: {n}");
            }
        }
        return sb.ToString();
    }

    private static string Md(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    public static string Markdown(IReadOnlyList<Row> rows, Machine m, IReadOnlyList<Series> chart, string chartFile, int rounds, string? warmUp)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# PsSockets benchmarks");
        sb.AppendLine();
        sb.AppendLine("Written by `dotnet run -c Release --project bench/PsSockets.Bench" + (m.Mode == "quick" ? " -- --quick" : "") + "` (see [bench/README.md](../bench/README.md)); do not edit by hand.");
        sb.AppendLine("PsSockets is the module's cmdlets running as script text in the hosted PowerShell engine; raw .NET is");
        sb.AppendLine("System.Net.Sockets called from C# in the same process (the practical limit on this machine); python3 is its");
        sb.AppendLine("`socket` module, what a user would write instead. All three run in the same run, on 127.0.0.1, against the");
        sb.AppendLine($"same peers; each number is the median of {rounds} rounds taken in turn after warm-up runs (memory and import: of fresh processes).");
        if (warmUp is not null)
        {
            sb.AppendLine(warmUp);
        }
        sb.AppendLine();
        sb.AppendLine("| machine | |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"| CPU | {m.Cpu} |");
        sb.AppendLine($"| cores | {m.Cores} |");
        sb.AppendLine($"| OS | {m.Os} |");
        sb.AppendLine($"| .NET | {m.Dotnet} |");
        sb.AppendLine($"| PowerShell engine | {m.PowerShell} (hosted, System.Management.Automation) |");
        sb.AppendLine($"| python3 | {m.Python} |");
        sb.AppendLine($"| module | {m.Module} |");
        sb.AppendLine($"| commit | {m.Commit} |");
        sb.AppendLine($"| date | {m.Date:yyyy-MM-dd HH:mm} UTC |");
        sb.AppendLine($"| mode | {m.Mode} |");
        sb.AppendLine();
        sb.AppendLine("## Results");
        sb.AppendLine();
        sb.AppendLine("Ratios are PsSockets' speed over the baseline's (for times, the inverse ratio of the times), so above 1.00x PsSockets is faster.");
        sb.AppendLine("Goals come from design.md (\"Performance goals\") and issue 4; the notes under the table say exactly what each row runs.");
        sb.AppendLine();
        sb.AppendLine("| # | scenario | unit | PsSockets | raw .NET | python3 | PsSockets ÷ raw | PsSockets ÷ python3 | goal | status |");
        sb.AppendLine("|---|---|---|--:|--:|--:|--:|--:|---|---|");
        var notes = new List<string>();
        int index = 0;
        foreach (var r in rows)
        {
            index++;
            var refs = new List<string>();
            foreach (var n in r.Notes)
            {
                int at = notes.IndexOf(n);
                if (at < 0)
                {
                    notes.Add(n);
                    at = notes.Count - 1;
                }
                refs.Add($"[{at + 1}]");
            }
            string name = Md(r.Name) + (refs.Count > 0 ? " " + string.Join("", refs) : "");
            string status = r.GoalStatus().Replace("NOT met", "**NOT met**", StringComparison.Ordinal);
            string Cell(Samples s, string? missing) => s.Median is not null ? r.Cell(s, missing) : missing is "-" ? "–" : missing is not null ? $"n/a ({Md(missing)})" : s.Error is not null ? $"error ({Md(s.Error)})" : "n/a";
            sb.AppendLine($"| {index} | {name} | {r.Unit} | {Cell(r.Ps, r.PsMissing)} | {Cell(r.Raw, r.RawMissing)} | {Cell(r.Py, r.PyMissing)} | {Row.FormatRatio(r.RatioToRaw)} | {Row.FormatRatio(r.RatioToPython)} | {Md(string.Join("; ", r.Goals.Select(g => g.Text)))} | {status} |");
        }
        sb.AppendLine();
        sb.AppendLine("Notes:");
        sb.AppendLine();
        for (int i = 0; i < notes.Count; i++)
        {
            sb.AppendLine($"{i + 1}. {Md(notes[i])}");
        }
        var withTools = rows.Select((r, i) => (Row: r, Number: i + 1)).Where(x => x.Row.Tools.Count > 0).ToList();
        if (withTools.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("### Against socat and ncat");
            sb.AppendLine();
            sb.AppendLine("The same work done by the command-line tools a shell user would reach for, in the same rounds as the row (notes above say how each is run).");
            sb.AppendLine();
            sb.AppendLine("| # | scenario | tool | the tool | PsSockets | PsSockets ÷ tool | spread of the tool |");
            sb.AppendLine("|---|---|---|--:|--:|--:|--:|");
            foreach (var (r, number) in withTools)
            {
                foreach (var (tool, samples) in r.Tools)
                {
                    string spread = samples.Count > 1 ? $"{r.Format(samples.Min!.Value)} – {r.Format(samples.Max!.Value)} ({samples.Count})" : "";
                    sb.AppendLine($"| {number} | {Md(r.Name)} | {tool} | {r.Cell(samples, null)} {r.Unit} | {r.Cell(r.Ps, r.PsMissing)} {r.Unit} | {Row.FormatRatio(r.RatioTo(samples))} | {spread} |");
                }
            }
        }
        sb.AppendLine();
        sb.AppendLine("Spread (min – max of the rounds) for the rows with more than one sample:");
        sb.AppendLine();
        sb.AppendLine("| # | PsSockets | raw .NET | python3 |");
        sb.AppendLine("|---|---|---|---|");
        index = 0;
        foreach (var r in rows)
        {
            index++;
            string Spread(Samples s) => s.Count > 1 ? $"{r.Format(s.Min!.Value)} – {r.Format(s.Max!.Value)} ({s.Count})" : s.Count == 1 ? "1 sample" : "";
            sb.AppendLine($"| {index} | {Spread(r.Ps)} | {Spread(r.Raw)} | {Spread(r.Py)} |");
        }
        sb.AppendLine();
        sb.AppendLine("## Throughput against message size");
        sb.AppendLine();
        sb.AppendLine($"![bulk send throughput against message size]({chartFile})");
        sb.AppendLine();
        sb.AppendLine("Bulk send into the same raw .NET sink, one message size per point (the 64 KiB point is scenario 1's first row at a smaller total). GB/s:");
        sb.AppendLine();
        var sizes = chart.SelectMany(s => s.Points.Keys).Distinct().OrderBy(k => k).ToList();
        sb.AppendLine("| message size | " + string.Join(" | ", chart.Select(s => Md(s.Name))) + " |");
        sb.AppendLine("|---|" + string.Join("", chart.Select(_ => "--:|")));
        foreach (int size in sizes)
        {
            sb.AppendLine($"| {Size(size)} | " + string.Join(" | ", chart.Select(s => s.Points.TryGetValue(size, out var v) ? v.ToString("0.000", Inv) : "n/a")) + " |");
        }
        return sb.ToString();
    }

    /// <summary>A line chart, written by hand: log-scaled message size across, GB/s up.</summary>
    public static string Svg(IReadOnlyList<Series> chart, Machine m)
    {
        const int W = 820, H = 440, L = 70, R = 290, T = 50, B = 60;
        int plotW = W - L - R, plotH = H - T - B;
        var sizes = chart.SelectMany(s => s.Points.Keys).Distinct().OrderBy(k => k).ToList();
        double max = chart.SelectMany(s => s.Points.Values).DefaultIfEmpty(1).Max();
        double step = NiceStep(max / 5);
        double top = Math.Ceiling(max / step) * step;
        double X(int size) => sizes.Count <= 1 ? L + plotW / 2.0 : L + plotW * (Math.Log2(size) - Math.Log2(sizes[0])) / (Math.Log2(sizes[^1]) - Math.Log2(sizes[0]));
        double Y(double v) => T + plotH * (1 - v / top);
        string F(double v) => v.ToString("0.#", Inv);
        var sb = new StringBuilder();
        sb.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.AppendLine($"<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>");
        sb.AppendLine($"<text x=\"{L}\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Bulk send over loopback TCP: throughput against message size</text>");
        sb.AppendLine($"<text x=\"{L}\" y=\"40\" fill=\"#555\">{WebUtility.HtmlEncode($"{m.Cpu}, {m.Cores} cores, {m.Mode} run, {m.Date:yyyy-MM-dd}; medians")}</text>");
        for (double v = 0; v <= top + step / 2; v += step)
        {
            sb.AppendLine($"<line x1=\"{L}\" y1=\"{F(Y(v))}\" x2=\"{L + plotW}\" y2=\"{F(Y(v))}\" stroke=\"#ddd\"/>");
            sb.AppendLine($"<text x=\"{L - 8}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\">{v.ToString("0.##", Inv)}</text>");
        }
        foreach (int size in sizes)
        {
            sb.AppendLine($"<line x1=\"{F(X(size))}\" y1=\"{T}\" x2=\"{F(X(size))}\" y2=\"{T + plotH}\" stroke=\"#eee\"/>");
            sb.AppendLine($"<text x=\"{F(X(size))}\" y=\"{T + plotH + 18}\" text-anchor=\"middle\">{Size(size)}</text>");
        }
        sb.AppendLine($"<line x1=\"{L}\" y1=\"{T + plotH}\" x2=\"{L + plotW}\" y2=\"{T + plotH}\" stroke=\"#333\"/>");
        sb.AppendLine($"<line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{T + plotH}\" stroke=\"#333\"/>");
        sb.AppendLine($"<text x=\"{L + plotW / 2}\" y=\"{H - 18}\" text-anchor=\"middle\">message size (one send / one pipeline object), log scale</text>");
        sb.AppendLine($"<text transform=\"translate(20 {T + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">GB/s (10^9 bytes/s)</text>");
        int legendY = T + 10;
        foreach (var s in chart)
        {
            var pts = s.Points.Select(p => $"{F(X(p.Key))},{F(Y(p.Value))}").ToList();
            if (pts.Count > 1)
            {
                sb.AppendLine($"<polyline points=\"{string.Join(" ", pts)}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2.5\"/>");
            }
            foreach (var p in s.Points)
            {
                sb.AppendLine($"<circle cx=\"{F(X(p.Key))}\" cy=\"{F(Y(p.Value))}\" r=\"4\" fill=\"{s.Color}\"><title>{WebUtility.HtmlEncode(s.Name)}: {p.Value.ToString("0.000", Inv)} GB/s at {Size(p.Key)}</title></circle>");
            }
            sb.AppendLine($"<rect x=\"{L + plotW + 16}\" y=\"{legendY - 9}\" width=\"14\" height=\"4\" fill=\"{s.Color}\"/>");
            var words = WebUtility.HtmlEncode(s.Name).Split(": ", 2);
            sb.AppendLine($"<text x=\"{L + plotW + 36}\" y=\"{legendY - 4}\" font-weight=\"bold\">{words[0]}</text>");
            if (words.Length > 1)
            {
                sb.AppendLine($"<text x=\"{L + plotW + 36}\" y=\"{legendY + 11}\" fill=\"#555\">{words[1]}</text>");
            }
            legendY += 40;
        }
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 0)
        {
            return 1;
        }
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    }
}
