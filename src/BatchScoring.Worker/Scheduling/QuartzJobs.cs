using BatchScoring.Core.Jobs;
using Quartz;

namespace BatchScoring.Worker.Scheduling;

/// <summary>How a job file maps onto Quartz: one durable job and one cron trigger, named after the job.</summary>
internal static class QuartzJobs
{
    public const string Group = "scoring-jobs";
    public const string VersionKey = "version";

    public static JobKey JobKeyOf(string jobName) => new(jobName, Group);

    public static TriggerKey TriggerKeyOf(string jobName) => new(jobName + ".cron", Group);

    public static IJobDetail Detail(JobSpec job, string version) => JobBuilder.Create<ScheduledScoringJob>()
        .WithIdentity(JobKeyOf(job.Name))
        .WithDescription(job.Description)
        .UsingJobData(VersionKey, version)
        .Build();

    public static ITrigger Trigger(JobSpec job, ScheduleSpec schedule, string version) => TriggerBuilder.Create()
        .WithIdentity(TriggerKeyOf(job.Name))
        .ForJob(JobKeyOf(job.Name))
        .UsingJobData(VersionKey, version)
        .WithSchedule(CronScheduleBuilder.Create(schedule.Cron)
            .InTimeZone(JobTimeZones.Find(schedule.TimeZone))
            .WithMisfireInstruction(MisfireInstructionOf(schedule.Misfire)))
        .Build();

    public static CronTriggerMisfireInstruction MisfireInstructionOf(MisfirePolicy policy) => policy switch
    {
        MisfirePolicy.Skip => CronTriggerMisfireInstruction.DoNothing,
        _ => CronTriggerMisfireInstruction.FireAndProceed,
    };

    /// <summary>The next fire times of a schedule after <paramref name="after"/>, in the schedule's time zone.</summary>
    public static IEnumerable<DateTimeOffset> NextFireTimes(ScheduleSpec schedule, DateTimeOffset after, int count)
    {
        var zone = JobTimeZones.Find(schedule.TimeZone);
        var expression = new CronExpression(schedule.Cron, zone);
        var time = after;
        for (var i = 0; i < count && expression.GetNextValidTimeAfter(time) is { } next; i++)
        {
            yield return TimeZoneInfo.ConvertTime(next, zone);
            time = next;
        }
    }
}
