using System.Text;
using BatchScoring.Core.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>
/// A drift report as one self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched):
/// the summary, a table of features, then each feature by severity with its histogram, trend and statistics.
/// </summary>
internal static class DriftReportHtml
{
    /// <summary>In the head of every report, so that <c>report -o</c> knows a file it may overwrite.</summary>
    public const string Marker = """<meta name="generator" content="batchscoring drift report">""";

    public static string Render(DriftReportDocument document)
    {
        var s = document.Report.Summary;
        var title = $"{document.Title} ({document.AnalysedAt:yyyy-MM-dd HH:mm} UTC)";
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">{Marker}<meta name="viewport" content="width=device-width, initial-scale=1"><title>{Html.E(title)}</title><style>{ReportStyle.Css}</style></head><body>
            <h1>{Html.E(title)}</h1>
            <h2>Summary</h2>
            <div class="scroll"><table class="summary">
            <tr><th>reference</th><td>{Html.E(s.Reference)}</td></tr>
            <tr><th>run window</th><td>{Window(document)}</td></tr>
            <tr><th>rows (reference / current)</th><td>{s.ReferenceRows:N0} / {s.CurrentRows:N0}</td></tr>
            <tr><th>drifted input features</th><td>{s.DriftedInputFeatures} of {s.InputFeatures} ({ReportText.Percent(s.DriftedShare, 0)}; threshold {ReportText.Percent(s.ShareThreshold, 0)})</td></tr>
            <tr><th>dataset drift</th><td>{Flag(s.DatasetDrift)}</td></tr>
            <tr><th>false discovery rate (Benjamini–Hochberg)</th><td>{Flag(s.FdrDrift)}</td></tr>
            <tr><th>prediction drift</th><td>{Flag(s.PredictionDrift)}</td></tr>
            </table></div>
            <h2>Features</h2>
            <div class="scroll"><table class="features"><tr><th>feature</th><th>role, kind</th><th>method</th><th>statistic</th><th>p-value</th><th>threshold</th><th>missing rate change</th><th>rows (ref / cur)</th><th>sample (ref / cur)</th><th>drift</th><th>FDR (BH)</th></tr>
            """);
        var ordered = document.Report.BySeverity.ToList();
        foreach (var f in ordered)
        {
            html.Append($"""
                <tr><td><a href="#{Anchor(f.Feature)}">{Html.E(f.Feature)}</a></td><td>{DriftNames.Of(f.Role)}, {DriftNames.Of(f.Kind)}</td><td>{DriftNames.Of(f.Method)}</td><td>{ReportText.F(f.Statistic)}{ReportText.Bound(f)}</td><td>{DriftReason.PValue(f.PValue)}</td><td>{ReportText.F(f.Threshold)}</td><td>{ReportText.F(f.MissingRateChange, "+0.0%;-0.0%;0%")}</td><td>{f.ReferenceRows:N0} / {f.CurrentRows:N0}</td><td>{ReportText.SampleShort(f)}</td><td>{Flag(f.Drifted)}</td><td>{ReportText.Fdr(f)}</td></tr>

                """);
        }
        html.Append("""
            </table></div>
            <p class="note">sample: the values KS and Wasserstein were computed from when they came from the row sample, which then holds every value of both sides; — when they came from the quantile bins (numbers) or the counts (categories) of all rows.</p>

            """);
        foreach (var f in ordered)
            FeatureSectionHtml.Append(html, f, Anchor(f.Feature), document);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    public static string Flag(bool drifted) => drifted ? """<span class="drifted">drift</span>""" : """<span class="ok">no drift</span>""";

    private static string Window(DriftReportDocument d) => d.WindowStart is null && d.WindowEnd is null
        ? "the whole source"
        : $"{ReportText.Utc(d.WindowStart)} to {ReportText.Utc(d.WindowEnd)}";

    private static string Anchor(string feature) => "feature-" + Uri.EscapeDataString(feature);
}
