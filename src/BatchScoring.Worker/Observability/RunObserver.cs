using BatchScoring.Core.Jobs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Notifications;
using BatchScoring.Worker.Observability.Metrics;
using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.Observability;

/// <summary>
/// What happens when a run has finished, outside the run itself: its metrics move and the webhooks
/// hear of it. Details (window, model, counts) come from the run's ledger row, the record of truth.
/// Nothing here can fail the run: errors are logged and swallowed.
/// </summary>
public sealed class RunObserver(RunLedger ledger, ScoringMetrics metrics, IRunNotifier notifier, ILogger<RunObserver> logger)
{
    public async Task RunFinishedAsync(JobSpec job, string trigger, RunOutcome outcome)
    {
        try
        {
            var run = await ledger.GetAsync(outcome.RunId, CancellationToken.None);
            var notification = new RunNotification(
                job.Name, outcome.RunId, outcome.Status, run?.Trigger ?? trigger,
                run?.RowsRead ?? outcome.RowsRead, run?.RowsScored ?? outcome.RowsScored, run?.RowsFailed ?? 0,
                outcome.Error, run?.WindowStart, run?.WindowEnd, run?.ModelName, run?.ModelVersion, outcome.OutputTable,
                outcome.Elapsed.TotalSeconds);
            Record(notification);
            await notifier.RunFinishedAsync(notification, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Run {RunId}: metrics or notifications could not be recorded", outcome.RunId);
        }
    }

    private void Record(RunNotification run)
    {
        metrics.RunFinished(run.Job, run.Status);
        metrics.RowsRead(run.Job, run.RowsRead);
        metrics.RowsScored(run.Job, run.RowsScored);
        metrics.RowsFailed(run.Job, run.RowsFailed);
    }
}
