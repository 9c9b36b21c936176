using BatchScoring.Core.Drift;
using BatchScoring.Core.Errors;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Reports;

/// <summary>Everything a run's drift report shows, in HTML or JSON: the run, its stored report and each feature's recent trend.</summary>
/// <param name="JobName">Null when the run is no longer in the ledger.</param>
/// <param name="Trends">Per feature the last <see cref="ReportsOptions.TrendRuns"/> analysed runs of the job up to this one, oldest first.</param>
internal sealed record DriftReportDocument(
    long RunId,
    string? JobName,
    DateTime? WindowStart,
    DateTime? WindowEnd,
    DateTime AnalysedAt,
    DriftReport Report,
    IReadOnlyList<DriftTrendPoint> Trends)
{
    /// <summary>A run's stored report with its run's job and window and the trends; none stored is one line saying why.</summary>
    public static async Task<DriftReportDocument> LoadAsync(IServiceProvider services, long id, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<DriftReportStore>();
        var stored = await store.LoadAsync(id, cancellationToken)
            ?? throw new BatchScoringException(MissingReportReason.Of(id, await store.LoadStateAsync(id, cancellationToken)));
        var run = await services.GetRequiredService<RunLedger>().GetAsync(id, cancellationToken);
        var trendRuns = services.GetRequiredService<IOptions<ReportsOptions>>().Value.TrendRuns;
        var trends = await services.GetRequiredService<DriftTrendStore>().LoadAsync(id, trendRuns, cancellationToken);
        return new DriftReportDocument(id, run?.JobName, run?.WindowStart, run?.WindowEnd, stored.CreatedAt, stored.Report, trends);
    }

    public string Title => JobName is null ? $"Drift report — run {RunId}" : $"Drift report — run {RunId} of job {JobName}";

    public IReadOnlyList<DriftTrendPoint> TrendOf(string feature) => Trends.Where(p => p.Feature == feature).ToArray();
}
