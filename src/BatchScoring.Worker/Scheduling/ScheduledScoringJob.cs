using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Observability.Logging;
using Microsoft.Extensions.Logging;
using Quartz;
using Serilog.Context;

namespace BatchScoring.Worker.Scheduling;

/// <summary>
/// What a trigger fires: one run of the job over the window the fire time implies. A fire while the
/// job still has a run in progress (here or in another process) is skipped and logged, not failed.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class ScheduledScoringJob(JobCatalog catalog, JobRunner runner, ILogger<ScheduledScoringJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.JobDetail.Key.Name;
        using var jobScope = LogContext.PushProperty(LogScope.JobName, name);
        if (catalog.Find(name) is not { } job)
        {
            logger.LogWarning("Trigger of job {JobName} fired, but this process has no valid job file for it; skipped", name);
            return;
        }
        var fireTime = (context.ScheduledFireTimeUtc ?? context.FireTimeUtc).UtcDateTime;
        var window = JobWindows.ForFire(job, fireTime);
        try
        {
            var outcome = await runner.RunAsync(job, RunTrigger.Schedule, cancellationToken, window);
            logger.LogInformation("Scheduled fire of {JobName} at {FireTime:O}: run {RunId} {Status}", name, fireTime, outcome.RunId, outcome.Status);
        }
        catch (RunInProgressException e)
        {
            logger.LogWarning("Scheduled fire of {JobName} at {FireTime:O} skipped: {Reason}", name, fireTime, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Scheduled fire of {JobName} at {FireTime:O} could not start a run: {Error}", name, fireTime, e.Message);
        }
    }
}
