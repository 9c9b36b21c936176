using BatchScoring.Core.Drift;
using BatchScoring.Core.Jobs;
using BatchScoring.Postgres.Drift;
using BatchScoring.Testing;
using BatchScoring.Worker.Reports;

namespace BatchScoring.IntegrationTests.Reports;

internal static class ReportDocuments
{
    /// <summary>A run whose age moved by half a standard deviation and one in five customers took a new plan.</summary>
    public static DriftReport Drifted()
    {
        var reference = DriftTestData.Reference(2000, seed: 1);
        return DriftAnalyzer.Analyze(reference, DriftTestData.Current(reference, 1500, seed: 2, new Plant { AgeShift = 6, NewPlanShare = 0.2 }),
            DriftSpec.Default, "model churn@1 <profile>");
    }

    public static DriftReportDocument Of(DriftReport report, IReadOnlyList<DriftTrendPoint>? trends = null) =>
        new(7, "demo-churn", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(2026, 12, 2, 1, 5, 0, DateTimeKind.Utc), report, trends ?? []);
}
