namespace BatchScoring.Postgres.Sources;

/// <summary>
/// Who a source reads for and how long one of its statements may run on the server: the job's
/// <c>partition_timeout</c>, or its run's <c>timeout</c> when shorter (<paramref name="Setting"/> names which, for errors),
/// so a slow query is bounded by the job, never by a driver default.
/// </summary>
public sealed record SourceLimits(string JobName, TimeSpan StatementTimeout, string Setting = "partition_timeout")
{
    /// <summary>For reads outside a job (reference tables): the default <c>partition_timeout</c>.</summary>
    public static readonly SourceLimits Default = new("(no job)", TimeSpan.FromMinutes(30));

    public static SourceLimits ForJob(string jobName, TimeSpan partitionTimeout, TimeSpan? runTimeout)
        => runTimeout is { } run && run < partitionTimeout ? new(jobName, run, "timeout") : new(jobName, partitionTimeout);
}
