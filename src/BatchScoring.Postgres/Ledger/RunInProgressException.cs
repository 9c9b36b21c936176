using BatchScoring.Core.Errors;

namespace BatchScoring.Postgres.Ledger;

/// <summary>A run was refused because the job already has a pending or running run; runs of one job never overlap.</summary>
public sealed class RunInProgressException(string jobName, long activeRunId, string status, DateTime? startedAt, string? host)
    : BatchScoringException(
        $"Job '{jobName}' already has run {activeRunId} in progress ({status}" +
        (startedAt is { } at ? $" since {at:yyyy-MM-dd HH:mm:ss}Z" : "") + (host is null ? "" : $" on {host}") + $"); a job's runs never overlap. If that run's process died, finish it with `batchscoring retry {activeRunId}` " +
        $"(or let a `batchscoring worker` pick it up), or stop it with `batchscoring cancel {activeRunId}`.")
{
    public string JobName { get; } = jobName;
    public long ActiveRunId { get; } = activeRunId;
}
