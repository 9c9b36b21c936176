using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Postgres.Ledger;

/// <summary>Everything recorded when a run is created: the run row and one partition row per planned partition.</summary>
public sealed record NewRun(
    RunStart Start,
    TimeWindow? Window,
    string? JobYaml,
    string JobFile,
    string? ModelPath,
    int MaxAttempts,
    int MaxConcurrency,
    DateTime? Deadline,
    IReadOnlyList<PlannedPartition> Partitions,
    string? DriftReferenceJson = null,
    string? DriftReferenceName = null,
    string? DriftReferenceError = null);

/// <summary>A row of <c>scoring.partitions</c>, for <c>runs show</c> and tests.</summary>
public sealed record PartitionRecord(
    long PartitionId,
    long RunId,
    string PartitionKey,
    string Status,
    int Attempts,
    string? LeaseOwner,
    long? EstimatedRows,
    long RowsRead,
    long RowsScored,
    long RowsFailed,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    string? LastError,
    string? CompletedBy,
    long RowsUnchanged);

/// <summary>What the heartbeat learnt about one held partition.</summary>
public sealed record LeaseState(long PartitionId, bool CancelRequested);
