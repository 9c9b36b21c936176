using BatchScoring.Core.Drift;
using BatchScoring.Core.Jobs;
using BatchScoring.Postgres.Drift;
using BatchScoring.Testing;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Reports;

namespace BatchScoring.IntegrationTests.Reports;

internal static class ReportDocuments
{
    public const long RunId = 107;

    /// <summary>A run whose age moved by half a standard deviation and one in five customers took a new plan.</summary>
    public static DriftReport Drifted(Plant? plant = null, DriftSpec? spec = null)
    {
        var reference = DriftTestData.Reference(2000, seed: 1);
        return DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 1500, seed: 2, plant ?? new Plant { AgeShift = 6, NewPlanShare = 0.2 }),
            spec ?? DriftSpec.Default, "model churn@1 <profile>");
    }

    public static DriftReportDocument Of(DriftReport report, IReadOnlyList<DriftTrendPoint>? trends = null) =>
        new(RunId, "demo-churn", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(2026, 12, 2, 1, 5, 0, DateTimeKind.Utc), report, trends ?? []);

    /// <summary>Nine earlier daily runs per feature, quiet at first and drifting towards this run's value, then this run.</summary>
    public static IReadOnlyList<DriftTrendPoint> Trends(DriftReport report) =>
        report.Features.SelectMany(f => Enumerable.Range(0, ReportsOptions.DefaultTrendRuns).Select(i =>
        {
            var runId = RunId - ReportsOptions.DefaultTrendRuns + 1 + i;
            var last = i == ReportsOptions.DefaultTrendRuns - 1;
            var day = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc).AddDays(i);
            var weight = last ? 1 : i < 6 ? 0.1 : i / 10.0;
            double? statistic = f.Statistic * weight;
            double? p = f.PValue is { } pv ? Math.Pow(Math.Max(pv, 1e-300), weight) : null;
            var drifted = last ? f.Drifted : f.IsPValueTest ? p < f.Threshold : statistic >= f.Threshold;
            return new DriftTrendPoint(f.Feature, runId, day, day.AddDays(1), day.AddHours(1), f.Method, statistic, p, f.Threshold, drifted);
        })).ToArray();
}
