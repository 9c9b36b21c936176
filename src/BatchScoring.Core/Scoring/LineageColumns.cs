using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// The columns every output row carries after its own, in this order, whatever the sink: which model version scored
/// it, in which run and partition, and when.
/// </summary>
public static class LineageColumns
{
    public static readonly ColumnSchema ModelVersion = new("model_version", ColumnKind.Text);
    public static readonly ColumnSchema RunId = new("run_id", ColumnKind.Int64);
    public static readonly ColumnSchema PartitionId = new("partition_id", ColumnKind.Int64);
    public static readonly ColumnSchema ScoredAt = new("scored_at", ColumnKind.TimestampTz);

    public static readonly IReadOnlyList<ColumnSchema> All = [ModelVersion, RunId, PartitionId, ScoredAt];
}
