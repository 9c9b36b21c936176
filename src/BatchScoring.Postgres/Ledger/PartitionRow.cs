using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Postgres.Ledger;

/// <summary>
/// A partition's row as the ledger reads it back, with its bounds. When claiming, <c>LeaseReclaims</c> is 1 if the claim
/// took the partition from a worker whose lease expired. The columns <c>bucket</c> and <c>bucket_count</c> hold the key
/// range and its count when <c>key_from</c> or <c>key_to</c> is set, else the hash bucket and its count.
/// </summary>
internal sealed record PartitionRow(long PartitionId, long RunId, string PartitionKey, DateTime? WindowStart, DateTime? WindowEnd,
    int Bucket, int BucketCount, string? SourceFile, int? RowGroupStart, int? RowGroupEnd, int Attempts, int LeaseReclaims,
    long? KeyFrom, long? KeyTo, bool TimestampIsNull)
{
    public ClaimedPartition ToClaim() => new(PartitionId, RunId, PartitionKey, new PartitionBounds
    {
        WindowStart = WindowStart, WindowEnd = WindowEnd, KeyFrom = KeyFrom, KeyTo = KeyTo,
        HashBucket = IsKeyRange ? 0 : Bucket, HashBuckets = IsKeyRange ? 1 : BucketCount,
        KeyRange = IsKeyRange ? Bucket : 0, KeyRanges = IsKeyRange ? BucketCount : 1,
        TimestampIsNull = TimestampIsNull, File = SourceFile, RowGroupStart = RowGroupStart, RowGroupEnd = RowGroupEnd,
    }, Attempts, LeaseReclaims > 0);

    private bool IsKeyRange => KeyFrom is not null || KeyTo is not null;

    /// <summary>The <c>bucket</c> column of a partition: its key range, else its hash bucket.</summary>
    public static int BucketColumn(PartitionBounds bounds) => bounds.IsKeyRange ? bounds.KeyRange : bounds.HashBucket;

    /// <summary>The <c>bucket_count</c> column of a partition: its run's key ranges, else hash buckets.</summary>
    public static int BucketCountColumn(PartitionBounds bounds) => bounds.IsKeyRange ? bounds.KeyRanges : bounds.HashBuckets;
}
