namespace BatchScoring.Postgres.Sources;

/// <summary>
/// Who a source reads for and how long one of its statements may run on the server: the job's
/// <c>partition_timeout</c>, so a slow query is bounded by the job, never by a driver default.
/// </summary>
public sealed record SourceLimits(string JobName, TimeSpan StatementTimeout)
{
    /// <summary>For reads outside a job (reference tables): the default <c>partition_timeout</c>.</summary>
    public static readonly SourceLimits Default = new("(no job)", TimeSpan.FromMinutes(30));
}
