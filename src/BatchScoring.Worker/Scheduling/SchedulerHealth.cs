using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace BatchScoring.Worker.Scheduling;

/// <summary>The <c>scheduler</c> check of <c>/health/ready</c>: the Quartz scheduler of this process, as it really is.</summary>
internal sealed class SchedulerHealth(ISchedulerFactory schedulerFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
            var metadata = await scheduler.GetMetadata(cancellationToken);
            var described = $"scheduler {metadata.SchedulerName} ({(metadata.JobStoreClustered ? "clustered" : "in-memory")})";
            if (metadata.Status != SchedulerStatus.Running)
                return HealthCheckResult.Unhealthy($"{described} is {metadata.Status.ToString().ToLowerInvariant()}");
            var jobs = await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup(), cancellationToken);
            return HealthCheckResult.Healthy($"{described} running since {metadata.RunningSince:u}, {jobs.Count} job(s) scheduled, {metadata.JobsExecuted} fired");
        }
        catch (SchedulerException e)
        {
            // A clustered scheduler reads its job store in PostgreSQL: with the database gone that is unhealthy, not a failed probe.
            return HealthCheckResult.Unhealthy($"scheduler: {e.Message}");
        }
    }
}
