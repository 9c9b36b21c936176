using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Postgres.Ledger;

/// <summary>
/// A partition's row as the ledger reads it back, with its bounds. When claiming, <c>LeaseReclaims</c> is 1 if the claim
/// took the partition from a worker whose lease expired.
/// </summary>
internal sealed record PartitionRow(long PartitionId, long RunId, string PartitionKey, DateTime? WindowStart, DateTime? WindowEnd,
    int Bucket, int BucketCount, string? SourceFile, int? RowGroupStart, int? RowGroupEnd, int Attempts, int LeaseReclaims,
    long? KeyFrom, long? KeyTo, bool TimestampIsNull)
{
    public ClaimedPartition ToClaim() => new(PartitionId, RunId, PartitionKey, new PartitionBounds
    {
        WindowStart = WindowStart, WindowEnd = WindowEnd, Bucket = Bucket, BucketCount = BucketCount, KeyFrom = KeyFrom, KeyTo = KeyTo,
        TimestampIsNull = TimestampIsNull, File = SourceFile, RowGroupStart = RowGroupStart, RowGroupEnd = RowGroupEnd,
    }, Attempts, LeaseReclaims > 0);
}
