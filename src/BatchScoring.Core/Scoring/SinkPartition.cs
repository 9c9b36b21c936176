namespace BatchScoring.Core.Scoring;

/// <summary>What a sink records with a partition's rows: the lineage columns (run, partition, model version, job) and where the rows belong.</summary>
public sealed record SinkPartition(long RunId, long PartitionId, PartitionBounds Bounds, string ModelVersion, string JobName);
