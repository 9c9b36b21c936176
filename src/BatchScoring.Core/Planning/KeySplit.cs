using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Planning;

/// <summary>Splits one time slice of a keyed source into <c>partitioning.buckets</c> partitions by its key.</summary>
public static class KeySplit
{
    /// <summary>
    /// Key ranges when the slice's integer key has a known minimum and maximum (cut evenly between them; the first and
    /// last ranges are open-ended, so rows added after planning still belong to one), else hash buckets.
    /// </summary>
    public static IEnumerable<PlannedPartition> Split(PartitionBounds slice, int buckets, KeyStatistics statistics)
    {
        if (buckets > 1 && statistics is { MinKey: { } min, MaxKey: { } max })
        {
            var span = (Int128)max - min + 1;
            var count = (int)Int128.Min(buckets, span);
            var width = (span + count - 1) / count;
            return Enumerable.Range(0, count).Select(r => new PlannedPartition(slice with
            {
                KeyRange = r,
                KeyRanges = count,
                KeyFrom = r == 0 ? null : (long)(min + width * r),
                KeyTo = r == count - 1 ? null : (long)(min + width * (r + 1)),
            }, statistics.Rows / count));
        }
        return Enumerable.Range(0, buckets).Select(b => new PlannedPartition(slice with { HashBucket = b, HashBuckets = buckets }, statistics.Rows / buckets));
    }
}
