using BatchScoring.Postgres;
using BatchScoring.Postgres.Ledger;
using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// What Ctrl+C or SIGTERM does to a run this process takes part in. The cancellation is recorded in the ledger at
/// once (no worker claims a partition of the run any more and its pending partitions are cancelled); the partitions
/// being scored here get <c>Worker:ShutdownGrace</c> to commit; whatever still runs then is stopped, rolled back and
/// marked cancelled, and the slots finish the run as usual.
/// </summary>
internal sealed class GracefulRunStop(RunLedger runs, PartitionWorkerPool pool, TimeSpan grace, TimeSpan pollInterval, ILogger logger)
{
    public async Task StopAsync(long runId, CancellationToken runOver)
    {
        pool.Drain(runId);
        try
        {
            await RequestCancelAsync(runId, runOver);
            logger.LogWarning("Run {RunId}: stopping; no more partitions are claimed, the ones being scored have {GraceSeconds} s to commit",
                runId, grace.TotalSeconds);
            await Task.Delay(grace, runOver);
            logger.LogWarning("Run {RunId}: the shutdown grace of {GraceSeconds} s is over; partitions still being scored are rolled back and cancelled",
                runId, grace.TotalSeconds);
            pool.CancelRun(runId);
        }
        catch (OperationCanceledException) when (runOver.IsCancellationRequested)
        {
        }
    }

    /// <summary>Until the ledger has it, the slots would claim on: an outage is waited out like the slots wait it out.</summary>
    private async Task RequestCancelAsync(long runId, CancellationToken runOver)
    {
        while (true)
        {
            try
            {
                await runs.RequestCancelAsync(runId, "cancelled by the user", runOver);
                return;
            }
            catch (DatabaseUnavailableException e)
            {
                logger.LogWarning("Run {RunId}: could not record the cancellation ({Error}); retrying", runId, e.Message);
                await Task.Delay(pollInterval, runOver);
            }
        }
    }
}
