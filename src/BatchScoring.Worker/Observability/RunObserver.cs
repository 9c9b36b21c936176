using BatchScoring.Core.Drift;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Notifications;
using BatchScoring.Worker.Observability.Metrics;
using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.Observability;

/// <summary>
/// What happens when a run has finished, outside the run itself: its metrics move and the webhooks
/// hear of it. Details (window, model, counts) come from the run's ledger row, the record of truth.
/// Nothing here can fail the run: errors are logged and swallowed.
/// </summary>
internal sealed class RunObserver(RunLedger ledger, ScoringMetrics metrics, IRunNotifier notifier, ILogger<RunObserver> logger)
{
    public async Task RunFinishedAsync(long runId, string? outputTable)
    {
        try
        {
            if (await ledger.GetAsync(runId, CancellationToken.None) is not { } run)
                return;
            var notification = new RunNotification(
                run.JobName, runId, run.Status, run.Trigger, run.RowsRead, run.RowsScored, run.RowsFailed, run.Error,
                run.WindowStart, run.WindowEnd, run.ModelName, run.ModelVersion, outputTable,
                (run.FinishedAt - run.StartedAt)?.TotalSeconds ?? 0);
            metrics.RunFinished(run.JobName, run.Status);
            metrics.RowsRead(run.JobName, run.RowsRead);
            metrics.RowsScored(run.JobName, run.RowsScored);
            metrics.RowsFailed(run.JobName, run.RowsFailed);
            metrics.RowsUnchanged(run.JobName, run.RowsUnchanged);
            await notifier.RunFinishedAsync(notification, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Run {RunId}: metrics or notifications could not be recorded", runId);
        }
    }

    /// <summary>A drift report that flagged the dataset, the predictions or a significant feature after FDR control.</summary>
    public async Task DriftReportedAsync(long runId, DriftReport report)
    {
        if (!(report.Summary.DatasetDrift || report.Summary.PredictionDrift || report.Summary.FdrDrift))
            return;
        try
        {
            if (await ledger.GetAsync(runId, CancellationToken.None) is not { } run)
                return;
            metrics.DriftFlagRaised(run.JobName);
            var features = report.BySeverity.Where(f => f.Drifted)
                .Select(f => new DriftedFeature(f.Feature, f.Method.ToString(), f.Statistic ?? f.PValue ?? 0, f.Threshold)).ToArray();
            await notifier.DriftFlaggedAsync(
                new DriftNotification(run.JobName, runId, run.ModelName, run.ModelVersion, run.WindowStart, run.WindowEnd, features), CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Run {RunId}: the drift notification could not be sent", runId);
        }
    }

    public void PartitionFinished(string job, string status, TimeSpan duration, bool reclaimed)
    {
        metrics.PartitionFinished(job, status, duration);
        if (reclaimed)
            metrics.LeaseReclaimed(job);
    }
}
