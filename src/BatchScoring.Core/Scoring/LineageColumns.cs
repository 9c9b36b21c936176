using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// The columns every output row carries after its own, in this order, whatever the sink: which model version scored
/// it, in which run and partition, and when; which job wrote it and, for a partition of a time slice, the slice's
/// start (null otherwise). Every value is the same on all rows of a partition.
/// </summary>
public static class LineageColumns
{
    public static readonly ColumnSchema ModelVersion = new("model_version", ColumnKind.Text);
    public static readonly ColumnSchema RunId = new("run_id", ColumnKind.Int64);
    public static readonly ColumnSchema PartitionId = new("partition_id", ColumnKind.Int64);
    public static readonly ColumnSchema ScoredAt = new("scored_at", ColumnKind.TimestampTz);
    public static readonly ColumnSchema JobName = new("job_name", ColumnKind.Text);
    public static readonly ColumnSchema WindowStart = new("window_start", ColumnKind.TimestampTz);

    public static readonly IReadOnlyList<ColumnSchema> All = [ModelVersion, RunId, PartitionId, ScoredAt, JobName, WindowStart];

    /// <summary>
    /// The columns added after output tables were first created: an older table gets them (nullable) on first use,
    /// and its rows written before then hold null there.
    /// </summary>
    public static readonly IReadOnlyList<ColumnSchema> Added = [JobName, WindowStart];

    /// <summary>The columns that are never null (<see cref="WindowStart"/> is null outside a time slice).</summary>
    public static readonly IReadOnlyList<ColumnSchema> Required = [ModelVersion, RunId, PartitionId, ScoredAt, JobName];
}
