using BatchScoring.Core.Jobs;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace BatchScoring.Worker.Scheduling;

/// <summary>
/// Keeps Quartz in step with <c>jobs/</c>: polls the folder every <see cref="SchedulerOptions.ReloadInterval"/>
/// (polling, not file events, so it also works on mounted volumes), then adds, replaces and removes jobs
/// and triggers. A stored trigger that already matches is left alone, so several clustered processes
/// syncing the same folder do not disturb each other's fire times.
/// </summary>
internal sealed class JobScheduleSynchronizer(
    ISchedulerFactory schedulerFactory,
    JobCatalog catalog,
    IOptions<JobsOptions> jobsOptions,
    IOptions<SchedulerOptions> schedulerOptions,
    ILogger<JobScheduleSynchronizer> logger) : BackgroundService
{
    private readonly JobFolderScan scan = new(jobsOptions.Value.Directory);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Scheduling the jobs of {Directory}, re-read every {Interval}", Path.GetFullPath(jobsOptions.Value.Directory), schedulerOptions.Value.ReloadInterval);
        await SynchronizeAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(schedulerOptions.Value.ReloadInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SynchronizeAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not synchronise the schedule with {Directory}; retrying", jobsOptions.Value.Directory);
            }
        }
    }

    private async Task SynchronizeAsync(CancellationToken cancellationToken)
    {
        var result = scan.Scan();
        foreach (var error in result.ChangedErrors)
        {
            var keeping = result.Jobs.Any(j => j.Job.FilePath == error.FilePath) ? "keeping its last valid version" : "not scheduled";
            logger.LogError("Invalid job file ({Keeping}): {Location}: {Error}", keeping, Location(error), error.Message);
        }
        catalog.Replace(result.Jobs.Select(j => j.Job).ToList(), result.Errors);

        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var wanted = new HashSet<JobKey>();
        foreach (var (job, version) in result.Jobs)
        {
            if (!job.Enabled || job.Schedule is not { } schedule)
                continue;
            var key = QuartzJobs.JobKeyOf(job.Name);
            wanted.Add(key);
            if (await IsCurrentAsync(scheduler, job.Name, version, cancellationToken))
                continue;
            var trigger = QuartzJobs.Trigger(job, schedule, version);
            await scheduler.ScheduleJob(QuartzJobs.Detail(job, version), [trigger], ScheduleJobOptions.Replacing, cancellationToken);
            logger.LogInformation("Scheduled job {JobName} from {File}: cron '{Cron}' in {TimeZone}, next fire {NextFire:O}",
                job.Name, job.FilePath, schedule.Cron, schedule.TimeZone, trigger.GetFireTimeAfter(DateTimeOffset.UtcNow));
        }

        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(QuartzJobs.Group), cancellationToken))
        {
            if (wanted.Contains(key))
                continue;
            await scheduler.DeleteJob(key, cancellationToken);
            logger.LogInformation("Unscheduled job {JobName}: its file was removed, disabled or has no schedule", key.Name);
        }
    }

    private static async Task<bool> IsCurrentAsync(IScheduler scheduler, string jobName, string version, CancellationToken cancellationToken)
        => await scheduler.GetTrigger(QuartzJobs.TriggerKeyOf(jobName), cancellationToken) is { } stored
            && stored.JobDataMap.TryGetValue(QuartzJobs.VersionKey, out var storedVersion)
            && Equals(storedVersion, version);

    private static string Location(BatchScoring.Core.Jobs.JobFileError error)
        => error.Line > 0 ? $"{error.FilePath}:{error.Line}:{error.Column}" : error.FilePath;
}
