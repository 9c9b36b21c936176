using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Runs;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// A source of rows: describes its columns, reports the statistics a run's partitions are planned from
/// (<see cref="Planning.PartitionPlanner"/>), and streams one partition as columnar batches.
/// </summary>
public interface IBatchSource
{
    /// <summary>Names and types of the columns the source offers, without reading any row.</summary>
    Task<IReadOnlyList<ColumnSchema>> DescribeAsync(CancellationToken cancellationToken);

    /// <summary>What planning a run over <paramref name="window"/> (null: the whole source) needs to know of the source.</summary>
    Task<SourceStatistics> StatisticsAsync(TimeWindow? window, PartitioningSpec partitioning, CancellationToken cancellationToken);

    /// <summary>Reads the given columns of one partition in batches of at most <paramref name="batchSize"/> rows.</summary>
    IAsyncEnumerable<RowBatch> ReadAsync(
        IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds, int batchSize, CancellationToken cancellationToken);
}
