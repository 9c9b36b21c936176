using System.Globalization;
using System.Text;
using BatchScoring.Core.Drift;
using BatchScoring.Postgres.Drift;
using BatchScoring.Worker.Reports;
using static BatchScoring.Worker.WebConsole.ConsoleHtml;

namespace BatchScoring.Worker.WebConsole;

/// <summary>
/// <c>/drift/{job}/{feature}</c> and its JSON twin: the feature's deciding value over the job's last <see cref="Runs"/>
/// analysed runs, charted by the drift report's own <see cref="TrendSvg"/> (the latest run ringed) and listed run by run.
/// </summary>
internal sealed class DriftPage(DriftHistory history, DriftReportStore reports)
{
    public const int Runs = 30;

    /// <param name="Latest">The feature in the latest run's stored report: its method and threshold, which the chart draws against.</param>
    public sealed record View(string Job, string Feature, IReadOnlyList<DriftTrendPoint> Points, FeatureDrift? Latest);

    /// <summary>Null when the job has no analysed run with that feature.</summary>
    public async Task<View?> LoadAsync(string job, string feature, CancellationToken cancellationToken)
    {
        var points = await history.LoadAsync(job, feature, Runs, cancellationToken);
        if (points.Count == 0)
            return null;
        var stored = await reports.LoadAsync(points[^1].RunId, cancellationToken);
        return new View(job, feature, points, stored?.Report.Features.FirstOrDefault(f => f.Feature == feature));
    }

    public static object Json(View view) => new
    {
        view.Job,
        view.Feature,
        Points = view.Points.Select(p => new
        {
            p.RunId, p.WindowStart, p.WindowEnd, RunCreatedAt = p.RunCreatedAt.ToUniversalTime(), Method = DriftNames.Of(p.Method),
            p.Statistic, p.PValue, p.Threshold, p.Drifted,
        }),
    };

    public static string Html(View view)
    {
        var body = new StringBuilder($"<p>job {JobLink(view.Job)}, the last {E(view.Points.Count)} analysed run(s), oldest first.</p>");
        if (view.Latest is { } latest)
            body.Append("<div class=\"chart\">").Append(TrendSvg.Render(latest, view.Points[^1].RunId, view.Points)).Append("</div>");
        body.Append(Table(["run", "window", "method", "statistic", "p-value", "threshold", "verdict"], view.Points.Reverse().Select(p => Row(
            RunLink(p.RunId), E(p.WindowStart is null ? "whole source" : $"{Time(p.WindowStart)} to {Time(p.WindowEnd)}"), E(DriftNames.Of(p.Method)),
            E(Number(p.Statistic)), E(Number(p.PValue)), E(Number(p.Threshold)), p.Drifted ? "<span class=\"drift\">drift</span>" : "<span class=\"ok\">no drift</span>"))));
        return Page($"Drift of {view.Feature} in {view.Job}", body.ToString());
    }

    private static string Number(double? value) => value?.ToString("G4", CultureInfo.InvariantCulture) ?? "";
}
