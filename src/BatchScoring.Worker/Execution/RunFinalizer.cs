using BatchScoring.Core.Runs;
using BatchScoring.Postgres;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Output;
using BatchScoring.Worker.Observability;
using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// Runs once per run, in whichever worker finished its last partition: marks a succeeded run's
/// Parquet output with <c>_SUCCESS</c>, stores the merged shadow agreement, and merges the partitions'
/// drift sketches into the run's drift report. Its failures are logged (a drift failure also on the run, as
/// <c>drift_status</c>), never change the run's outcome.
/// </summary>
internal sealed class RunFinalizer(
    RunContextFactory contexts, RunLedger runs, RunPartitions runPartitions, RunDriftFinalizer drift, ShadowRunLedger shadow, RunObserver observer,
    ILogger<RunFinalizer> logger)
{
    public async Task OnFinishedAsync(long runId, string status, CancellationToken cancellationToken)
    {
        logger.LogInformation("Run {RunId} finished: {Status}", runId, status);
        RunContext? context = null;
        try
        {
            if (status is not (RunStatus.Succeeded or RunStatus.PartiallyFailed))
                return;
            context = await contexts.ForRunAsync(runId, cancellationToken);
            if (context.Output is { ByRun: true } byRun && status == RunStatus.Succeeded)
                await SupersedeAsync(runId, context.Job.Name, byRun, cancellationToken);
            if (context.ParquetOutput is { } parquet && status == RunStatus.Succeeded)
                await parquet.CompleteRunAsync(runId, await runs.BoundsAsync(runId, cancellationToken), cancellationToken);
            if (context.Shadow is not null && await shadow.FinishAsync(runId, cancellationToken) is { } agreement)
                logger.LogInformation("Run {RunId} challenger agreement: labels {LabelAgreement:P1}, mean |Δscore| {MeanAbsDiff:F4}, correlation {Correlation:F4}",
                    runId, agreement.LabelAgreement, agreement.MeanAbsoluteScoreDifference, agreement.ScoreCorrelation);
            await ReportDriftAsync(runId, context, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Run {RunId}: finalizing failed after the run finished: {Error}", runId, e.Message);
        }
        finally
        {
            await MarkFinalizedAsync(runId);
            await observer.RunFinishedAsync(runId, context?.Output?.Table.ToString());
        }
    }

    /// <summary>
    /// Attaches the run's partition of a table partitioned by run and detaches the earlier runs'. When readers hold the
    /// table past the lock timeout, only the attach is done, which readers of the <c>_latest</c> view do not notice (the
    /// next run detaches them); when the database cannot be reached, the table keeps showing the earlier runs until the
    /// next run succeeds.
    /// </summary>
    private async Task SupersedeAsync(long runId, string jobName, OutputTableSchema output, CancellationToken cancellationToken)
    {
        try
        {
            var detached = await runPartitions.SupersedeAsync(output.Table, jobName, runId, cancellationToken);
            if (detached is null)
                logger.LogWarning("Run {RunId}: readers held {Table} past the lock timeout, so its rows were added beside the earlier runs' (its _latest view shows the newest row per key); the next run detaches them",
                    runId, output.Table.ToString());
            else if (detached.Count > 0)
                logger.LogInformation("Run {RunId} replaced runs {Runs} in {Table}: their partitions are detached, kept for `runs rollback {RunId}`",
                    runId, string.Join(", ", detached), output.Table.ToString(), runId);
        }
        catch (DatabaseUnavailableException e)
        {
            logger.LogError(e, "Run {RunId}: its partition could not be attached to {Table}, which still shows the earlier runs until the next run succeeds: {Error}",
                runId, output.Table.ToString(), e.Message);
        }
    }

    /// <summary>Tells the process that started the run, when another worker finished it, that its report is there to read.</summary>
    private async Task MarkFinalizedAsync(long runId)
    {
        try
        {
            await runs.MarkFinalizedAsync(runId, CancellationToken.None);
        }
        catch (DatabaseUnavailableException e)
        {
            logger.LogError(e, "Run {RunId}: the end of finalizing could not be recorded on the run: {Error}", runId, e.Message);
        }
    }

    /// <summary>Any failure here is recorded on the run (drift_status = failed) and logged; the run's outcome stays as it is.</summary>
    private async Task ReportDriftAsync(long runId, RunContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (context.Drift is not { } baseline)
            {
                if (context.DriftUnavailable is { } unreadable)
                    logger.LogError("Run {RunId}: no drift report, the drift reference could not be read: {Error}", runId, unreadable);
                await drift.RecordStatusAsync(runId, context.DriftUnavailable is null ? DriftStatus.NotConfigured : DriftStatus.Failed, context.DriftUnavailable, cancellationToken);
                return;
            }
            var report = await drift.FinalizeAsync(runId, baseline.Reference, baseline.Description, context.Job.Drift, cancellationToken);
            if (report is null)
                return;
            await observer.DriftReportedAsync(runId, report);
            logger.LogInformation(
                "Run {RunId} drift against {Reference}: {Drifted} of {Features} input features drifted (dataset drift {DatasetDrift}, prediction drift {PredictionDrift})",
                runId, baseline.Description, report.Summary.DriftedInputFeatures, report.Summary.InputFeatures, report.Summary.DatasetDrift, report.Summary.PredictionDrift);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var error = $"{e.GetType().Name}: {e.Message}";
            logger.LogError(e, "Run {RunId}: the drift report could not be made: {Error}", runId, error);
            try
            {
                await drift.RecordStatusAsync(runId, DriftStatus.Failed, error, cancellationToken);
            }
            catch (DatabaseUnavailableException recordError)
            {
                logger.LogError(recordError, "Run {RunId}: the drift failure could not be recorded on the run: {Error}", runId, recordError.Message);
            }
        }
    }
}
