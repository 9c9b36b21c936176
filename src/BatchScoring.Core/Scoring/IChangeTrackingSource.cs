using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// A source that can tell which rows of a partition changed since an earlier read of it (a PostgreSQL table, by its rows'
/// <c>xmin</c>). With <c>output.skip_unchanged</c> a re-run then reads the partition's keys and only the rows changed
/// since the read its kept fingerprints came from (<see cref="ChangedRowsMerge"/>), instead of every row.
/// </summary>
public interface IChangeTrackingSource
{
    /// <summary>
    /// Opens one partition's read, whose statements all see one snapshot of the source. <paramref name="salt"/> is what
    /// else the kept fingerprints depend on (<see cref="ReadMark.Salt"/>); it goes into the read's mark.
    /// </summary>
    Task<IPartitionRead> BeginReadAsync(IReadOnlyList<ColumnSchema> columns, PartitionBounds bounds, long salt, CancellationToken cancellationToken);
}

/// <summary>One partition's read of an <see cref="IChangeTrackingSource"/>, in one snapshot.</summary>
public interface IPartitionRead : IAsyncDisposable
{
    /// <summary>
    /// What a later read needs to read only the rows changed since this one; null when the source cannot tell (a view or
    /// query, a partitioned or inherited table, a key column without a unique index or that may be null).
    /// </summary>
    ReadMark? Mark { get; }

    /// <summary>
    /// Whether the rows changed since the read of <paramref name="since"/> can be told apart now: the same table, columns,
    /// partition and salt, and not so many transactions ago that the table's transaction ids could have wrapped around.
    /// </summary>
    bool CanReadChangedSince(ReadMark since);

    /// <summary>Every row of the partition, in batches of at most <paramref name="batchSize"/> rows.</summary>
    IAsyncEnumerable<RowBatch> ReadAsync(int batchSize, CancellationToken cancellationToken);

    /// <summary>Every key of the partition, ascending.</summary>
    Task<long[]> KeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// In key order, the rows written (inserted or updated) since the read of <paramref name="since"/>, and the rows of
    /// <paramref name="keys"/> whenever they were written.
    /// </summary>
    IAsyncEnumerable<RowBatch> ReadChangedAsync(ReadMark since, IReadOnlyList<long> keys, int batchSize, CancellationToken cancellationToken);
}
