using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.Output;

namespace BatchScoring.Postgres.Commit;

/// <summary>What one attempt of a claimed partition writes, and under whose lease it commits.</summary>
public sealed record PartitionCommitPlan(ClaimedPartition Partition, string Owner, string JobName, string ModelVersion)
{
    /// <summary>The output table; null when scores go only to <see cref="Files"/>.</summary>
    public OutputTableSchema? Output { get; init; }

    /// <summary>How the partition writes <see cref="Output"/> (see <see cref="OutputWritePath"/>).</summary>
    public OutputWrite Write { get; init; } = OutputWrite.Merge;

    /// <summary>
    /// <c>output.skip_unchanged</c> with <c>replace: partition</c>: the stored keys passed over without a source row are
    /// deleted in the partition's transaction, before its rows are merged.
    /// </summary>
    public bool RemovesPassedKeys { get; init; }

    /// <summary><c>output.skip_unchanged</c>: the partition keeps the fingerprints of the rows it leaves in <see cref="Output"/> (<see cref="KeptFingerprints"/>).</summary>
    public FingerprintKeeping? Keeping { get; init; }

    /// <summary>The challenger's table and model version; null without a challenger.</summary>
    public ShadowTable? Shadow { get; init; }

    /// <summary>A sink outside the database (Parquet files), completed last, just before the commit.</summary>
    public IPartitionSink? Files { get; init; }
}

/// <summary>The shadow table and the challenger version its rows carry.</summary>
public sealed record ShadowTable(OutputTableSchema Schema, string ModelVersion);
