using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// Where scored rows go: a PostgreSQL table (the output or the shadow table) or Parquet files. A sink writes one
/// partition at a time; nothing it writes is visible before the partition commits.
/// </summary>
public interface IPartitionSink
{
    /// <summary>Starts writing one partition; write its batches, then complete it. Disposed incomplete, the partition's rows are dropped.</summary>
    Task<IPartitionSinkWriter> BeginPartitionAsync(SinkPartition partition, CancellationToken cancellationToken);
}

/// <summary>One partition's rows on their way into a sink.</summary>
public interface IPartitionSinkWriter : IAsyncDisposable
{
    Task WriteAsync(ScoredBatch batch, CancellationToken cancellationToken);

    /// <summary>Ends the partition's rows; the sink's errors (e.g. a key conflict) are thrown here.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
