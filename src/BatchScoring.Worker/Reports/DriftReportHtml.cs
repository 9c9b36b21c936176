using System.Globalization;
using System.Net;
using System.Text;
using BatchScoring.Core.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>
/// A drift report as one self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched):
/// the summary, a table of features, then each feature by severity with its histograms and statistics.
/// </summary>
internal static class DriftReportHtml
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1100px; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; font-variant-numeric: tabular-nums; }
        .drifted { color: #b00020; font-weight: 600; }
        .ok { color: #2e7d32; }
        section.feature { border-top: 2px solid #eee; margin-top: 2em; padding-top: 0.5em; }
        .panel-title { font-size: 12px; font-weight: 600; }
        .bin-label { font-size: 12px; fill: #555; }
        .reason { font-size: 14px; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; font-size: 13px; }
        dt { color: #555; }
        """;

    /// <summary>In the head of every report, so that <c>report -o</c> knows a file it may overwrite.</summary>
    public const string Marker = """<meta name="generator" content="batchscoring drift report">""";

    public static string Render(string title, DriftReport report)
    {
        var s = report.Summary;
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">{Marker}<title>{E(title)}</title><style>{Style}</style></head><body>
            <h1>{E(title)}</h1>
            <h2>Summary</h2>
            <table class="summary">
            <tr><th>reference</th><td>{E(s.Reference)}</td></tr>
            <tr><th>rows (reference / current)</th><td>{s.ReferenceRows:N0} / {s.CurrentRows:N0}</td></tr>
            <tr><th>drifted input features</th><td>{s.DriftedInputFeatures} of {s.InputFeatures} ({F(s.DriftedShare, "P0")}; threshold {F(s.ShareThreshold, "P0")})</td></tr>
            <tr><th>dataset drift</th><td>{Flag(s.DatasetDrift)}</td></tr>
            <tr><th>false discovery rate (Benjamini–Hochberg)</th><td>{Flag(s.FdrDrift)}</td></tr>
            <tr><th>prediction drift</th><td>{Flag(s.PredictionDrift)}</td></tr>
            </table>
            <h2>Features</h2>
            <table class="features"><tr><th>feature</th><th>role</th><th>kind</th><th>method</th><th>statistic</th><th>p-value</th><th>threshold</th><th>missing rate change</th><th>drift</th><th>FDR (Benjamini–Hochberg)</th></tr>
            """);
        var ordered = report.BySeverity.ToList();
        foreach (var f in ordered)
        {
            html.Append($"""
                <tr><td><a href="#{Anchor(f.Feature)}">{E(f.Feature)}</a></td><td>{DriftNames.Of(f.Role)}</td><td>{DriftNames.Of(f.Kind)}</td><td>{DriftNames.Of(f.Method)}</td><td>{F(f.Statistic)}{Bound(f)}</td><td>{DriftReason.PValue(f.PValue)}</td><td>{F(f.Threshold)}</td><td>{F(f.MissingRateChange, "+0.0%;-0.0%;0%")}</td><td>{Flag(f.Drifted)}</td><td>{Fdr(f)}</td></tr>

                """);
        }
        html.Append("</table>\n");
        foreach (var f in ordered)
            Feature(html, f);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Feature(StringBuilder html, FeatureDrift f)
    {
        html.Append($"""
            <section class="feature" id="{Anchor(f.Feature)}">
            <h3>{E(f.Feature)} <small>({DriftNames.Of(f.Role)}, {DriftNames.Of(f.Kind)})</small> — {Flag(f.Drifted)}</h3>
            {(f.Drifted ? $"<p class=\"reason\">{E(DriftReason.For(f))}</p>" : "")}
            {HistogramSvg.Render(f.Feature, f.Bins)}
            <dl>
            <dt>method</dt><dd>{DriftNames.Of(f.Method)}: {F(f.Statistic)}{Bound(f)} (threshold {F(f.Threshold)})</dd>
            <dt>FDR (Benjamini–Hochberg)</dt><dd>{Fdr(f)}</dd>
            <dt>rows (reference / current)</dt><dd>{f.ReferenceRows:N0} / {f.CurrentRows:N0}</dd>
            <dt>missing rate (reference → current)</dt><dd>{F(f.ReferenceMissingRate, "P2")} → {F(f.CurrentMissingRate, "P2")}</dd>
            """);
        foreach (var (name, value) in f.Statistics.OrderBy(p => p.Key, StringComparer.Ordinal))
            html.Append($"<dt>{E(name)}</dt><dd>{F(value)}</dd>\n");
        html.Append("</dl>\n</section>\n");
    }

    /// <summary>"± b" for a statistic computed from bins: the exact value on all rows is within b.</summary>
    private static string Bound(FeatureDrift f) => f.StatisticBound is > 0 ? $" ± {F(f.StatisticBound)}" : "";

    private static string Fdr(FeatureDrift f) => !f.IsPValueTest ? "—" : f.FdrRejected ? "rejected" : "not rejected";

    private static string Flag(bool drifted) => drifted ? """<span class="drifted">drift</span>""" : """<span class="ok">no drift</span>""";

    private static string F(double? value, string format = "G4") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";


    private static string Anchor(string feature) => "feature-" + Uri.EscapeDataString(feature);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
