using System.IO.Hashing;
using System.Text;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// Where a partition's read of an <see cref="IChangeTrackingSource"/> stood: <paramref name="Transaction"/> is the
/// oldest transaction that was still running when its snapshot was taken (PostgreSQL's <c>pg_snapshot_xmin</c>, 64-bit),
/// so every row written since has a transaction id at or above it; <paramref name="Identity"/> is a 64-bit hash of what
/// the read's rows depend on besides their values: the table (its oid and file), the columns (their numbers and types),
/// the partition's predicate and the <see cref="Salt"/>.
/// </summary>
public sealed record ReadMark(long Transaction, long Identity)
{
    /// <summary>What a fingerprint depends on besides the source's columns: the model version's seed and the feature mapping.</summary>
    public static long Salt(long seed, IReadOnlyDictionary<string, string> featureMapping)
    {
        var text = string.Join('\n', featureMapping.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Key + "=" + m.Value));
        return (long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text), seed);
    }
}
