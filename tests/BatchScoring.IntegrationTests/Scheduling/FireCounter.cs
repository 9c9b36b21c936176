using System.Collections.Concurrent;
using Quartz;

namespace BatchScoring.IntegrationTests.Scheduling;

/// <summary>Counts the job executions one scheduler starts, keyed by scheduled fire time.</summary>
internal sealed class FireCounter : IJobListener
{
    public ConcurrentBag<DateTimeOffset> Fires { get; } = [];

    public string Name => "fire-counter";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        Fires.Add(context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        => ValueTask.CompletedTask;
}
