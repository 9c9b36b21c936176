using BatchScoring.Core.Drift;
using BatchScoring.Postgres.Drift;

namespace BatchScoring.Worker.Reports;

/// <summary>Everything a run's drift report shows, in HTML or JSON: the run, its stored report and each feature's recent trend.</summary>
/// <param name="JobName">Null when the run is no longer in the ledger.</param>
/// <param name="Trends">Per feature the last <see cref="TrendRuns"/> analysed runs of the job up to this one, oldest first.</param>
internal sealed record DriftReportDocument(
    long RunId,
    string? JobName,
    DateTime? WindowStart,
    DateTime? WindowEnd,
    DateTime AnalysedAt,
    DriftReport Report,
    IReadOnlyList<DriftTrendPoint> Trends)
{
    public const int TrendRuns = 10;

    public string Title => JobName is null ? $"Drift report — run {RunId}" : $"Drift report — run {RunId} of job {JobName}";

    public IReadOnlyList<DriftTrendPoint> TrendOf(string feature) => Trends.Where(p => p.Feature == feature).ToArray();
}
