using Serilog.Context;

namespace BatchScoring.Worker.Observability.Logging;

/// <summary>
/// Pushes the properties every event inside a run carries. Dispose the scope when the run (or
/// partition) ends: <c>using var scope = LogScope.ForPartition(job, runId, partitionId);</c>
/// </summary>
public static class LogScope
{
    public const string JobName = nameof(JobName);
    public const string RunId = nameof(RunId);
    public const string PartitionId = nameof(PartitionId);

    public static IDisposable ForRun(string jobName, long runId) => new Scope(
        LogContext.PushProperty(JobName, jobName),
        LogContext.PushProperty(RunId, runId));

    public static IDisposable ForPartition(string jobName, long runId, long partitionId) => new Scope(
        LogContext.PushProperty(JobName, jobName),
        LogContext.PushProperty(RunId, runId),
        LogContext.PushProperty(PartitionId, partitionId));

    private sealed class Scope(params IDisposable[] pushed) : IDisposable
    {
        // LogContext is a stack: pop in reverse order of pushing.
        public void Dispose()
        {
            for (var i = pushed.Length - 1; i >= 0; i--)
                pushed[i].Dispose();
        }
    }
}
