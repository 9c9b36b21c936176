using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>Streams the rows of one unit of work as columnar batches.</summary>
public interface IBatchSource
{
    /// <summary>Names and types of the columns the source offers, without reading any row.</summary>
    Task<IReadOnlyList<ColumnSchema>> DescribeAsync(CancellationToken cancellationToken);

    /// <summary>Reads the given columns in batches of at most <paramref name="batchSize"/> rows.</summary>
    IAsyncEnumerable<RowBatch> ReadAsync(IReadOnlyList<ColumnSchema> columns, int batchSize, CancellationToken cancellationToken);
}
