namespace BatchScoring.Worker.Observability.Logging;

/// <summary>
/// The properties every event inside a run carries, pushed with <c>LogContext.PushProperty</c> where the
/// job, run or partition becomes known and read back by <see cref="RunScopeEnricher"/>.
/// </summary>
internal static class LogScope
{
    public const string JobName = nameof(JobName);
    public const string RunId = nameof(RunId);
    public const string PartitionId = nameof(PartitionId);
}
