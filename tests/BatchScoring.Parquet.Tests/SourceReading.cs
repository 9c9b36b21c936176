using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Parquet.Sources;

namespace BatchScoring.Parquet.Tests;

internal static class SourceReading
{
    public static ParquetSource Source(string path, string? timestampColumn = null, long rowsPerPartition = ParquetSource.DefaultRowsPerPartition)
        => new(new ParquetSourceSpec(path, ["id"], timestampColumn), rowsPerPartition);

    /// <summary>Every row of one partition, all described columns, as one batch.</summary>
    public static async Task<RowBatch> ReadAllAsync(IBatchSource source, IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds, int batchSize = 700)
    {
        var batches = new List<RowBatch>();
        await foreach (var batch in source.ReadAsync(columns, bounds, batchSize, CancellationToken.None))
        {
            Assert.InRange(batch.Count, 1, batchSize);
            batches.Add(batch);
        }
        return RowBatch.Concat(columns, batches);
    }
}
