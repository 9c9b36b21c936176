using System.Globalization;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Errors;
using BatchScoring.Postgres.Drift;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Reports;

namespace BatchScoring.Worker.Demo;

/// <summary>The drift report of a demo run as the HTML file <c>report &lt;run-id&gt;</c> writes, in <c>Demo:ReportDirectory</c>.</summary>
internal sealed class DemoReport(DriftReportStore store)
{
    public async Task<DriftReport> LoadAsync(long runId, CancellationToken cancellationToken)
        => (await LoadStoredAsync(runId, cancellationToken)).Report;

    public async Task<(string Path, DriftReport Report)> WriteAsync(long runId, string directory, CancellationToken cancellationToken)
    {
        var stored = await LoadStoredAsync(runId, cancellationToken);
        Directory.CreateDirectory(directory);
        var destination = ReportDestination.Check(Path.Combine(directory, $"drift-run-{runId.ToString(CultureInfo.InvariantCulture)}.html"), force: false);
        var title = $"Drift report — run {runId} of job {DemoRunner.JobName} ({stored.CreatedAt:yyyy-MM-dd HH:mm} UTC)";
        await destination.WriteAsync(DriftReportHtml.Render(title, stored.Report), cancellationToken);
        return (destination.Path!, stored.Report);
    }

    private async Task<StoredDriftReport> LoadStoredAsync(long runId, CancellationToken cancellationToken)
        => await store.LoadAsync(runId, cancellationToken)
            ?? throw new BatchScoringException(MissingReportReason.Of(runId, await store.LoadStateAsync(runId, cancellationToken)));
}
