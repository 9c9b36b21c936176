using System.Text;
using BatchScoring.Core.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>
/// One feature of the report: its verdict, the reason when flagged, the histogram, the trend over the job's
/// last runs when flagged, the largest changes as text, and every statistic.
/// </summary>
internal static class FeatureSectionHtml
{
    private const int LargestChanges = 3;

    public static void Append(StringBuilder html, FeatureDrift f, string anchor, DriftReportDocument document)
    {
        html.Append($"""
            <section class="feature" id="{anchor}">
            <h3>{Html.E(f.Feature)} <small>({DriftNames.Of(f.Role)}, {DriftNames.Of(f.Kind)})</small> — {DriftReportHtml.Flag(f.Drifted)}</h3>
            {(f.Drifted ? $"<p class=\"reason\">{Html.E(DriftReason.For(f))}</p>" : "")}
            <div class="charts">{HistogramSvg.Render(f.Feature, Labelled(f))}{(f.Drifted ? TrendSvg.Render(f, document.RunId, document.TrendOf(f.Feature)) : "")}</div>
            <dl>
            <dt>largest changes</dt><dd>{Changes(f)}</dd>
            {(f.NewCategories.Count > 0 ? $"<dt>new categories (not in the reference)</dt><dd>{NewCategories(f)}</dd>" : "")}
            <dt>method</dt><dd>{DriftNames.Of(f.Method)}: {ReportText.F(f.Statistic)}{ReportText.Bound(f)} (threshold {ReportText.F(f.Threshold)}{(f.IsPValueTest ? " on the p-value" : "")})</dd>
            <dt>p-value</dt><dd>{DriftReason.PValue(f.PValue)}</dd>
            <dt>FDR (Benjamini–Hochberg)</dt><dd>{ReportText.Fdr(f)}</dd>
            <dt>rows (reference / current)</dt><dd>{f.ReferenceRows:N0} / {f.CurrentRows:N0}</dd>
            <dt>sample (reference / current)</dt><dd>{ReportText.Sample(f)}</dd>
            <dt>missing rate (reference → current)</dt><dd>{ReportText.Percent(f.ReferenceMissingRate, 2)} → {ReportText.Percent(f.CurrentMissingRate, 2)}</dd>
            """);
        html.Append("</dl>\n<dl class=\"stats\">\n");
        foreach (var (name, value) in f.Statistics.OrderBy(p => p.Key, StringComparer.Ordinal))
            html.Append($"<dt>{Html.E(name)}</dt><dd>{ReportText.F(value)}</dd>\n");
        html.Append("</dl>\n</section>\n");
    }

    /// <summary>The "(other)" bar named after the new categories it holds, when there are any.</summary>
    private static IReadOnlyList<BinShare> Labelled(FeatureDrift f) => f.NewCategories.Count == 0
        ? f.Bins
        : f.Bins.Select(b => b.Bin == BinShare.Other ? b with { Bin = $"(other: {string.Join(", ", f.NewCategories.Take(2).Select(c => c.Bin))}{(f.NewCategories.Count > 2 ? ", …" : "")})" } : b).ToArray();

    private static string NewCategories(FeatureDrift f)
        => string.Join("; ", f.NewCategories.Select(c => $"{Html.E(c.Bin)}: {ReportText.Percent(c.Current)} of the run's rows"));

    private static string Changes(FeatureDrift f)
    {
        var moved = f.Bins.OrderByDescending(b => Math.Abs(b.Current - b.Reference)).Take(LargestChanges)
            .Select(b => $"{Html.E(b.Bin)}: {ReportText.Percent(b.Reference)} → {ReportText.Percent(b.Current)} ({ReportText.F((b.Current - b.Reference) * 100, "+0.0;-0.0;0")} points)");
        return string.Join("; ", moved.DefaultIfEmpty("—"));
    }
}
