using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Tests.Scoring;

public class FingerprintPairsTests
{
    private static readonly ColumnSchema Key = new("key", ColumnKind.Int64);

    [Fact]
    public void Pairs_from_two_stages_in_any_order_come_back_sorted_by_key_in_batches()
    {
        var unchanged = new FingerprintPairs(limit: 100);
        var written = new FingerprintPairs(limit: 100);
        unchanged.Add(5, 50);
        unchanged.Add(1, 10);
        var keys = new BatchColumn<int>(new ColumnSchema("id", ColumnKind.Int32), 3);
        keys.Set(0, 3);
        keys.SetNull(1);
        keys.Set(2, 2);
        written.Add(keys, [30, 99, 20]);

        var pairs = FingerprintPairs.Encode(unchanged, written)!;
        var batches = FingerprintPairs.Decode(pairs, Key, batchSize: 3).ToList();

        Assert.Equal([3, 1], batches.Select(b => b.Count));
        var decoded = batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(r => (b.Column<long>("key").Values[r], b.Column<long>("input_fingerprint").Values[r])));
        Assert.Equal([(1L, 10L), (2L, 20L), (3L, 30L), (5L, 50L)], decoded);
    }

    [Fact]
    public void A_key_twice_or_more_rows_than_the_limit_keep_nothing()
    {
        var twice = new FingerprintPairs(limit: 10);
        twice.Add(1, 1);
        twice.Add(1, 2);
        Assert.Null(FingerprintPairs.Encode(twice, new FingerprintPairs(limit: 10)));

        var unchanged = new FingerprintPairs(limit: 10);
        var written = new FingerprintPairs(limit: 10);
        unchanged.Add(1, 1);
        unchanged.Add(4, 4);
        written.Add(4, 5);
        Assert.Null(FingerprintPairs.Encode(unchanged, written));

        var many = new FingerprintPairs(limit: 2);
        foreach (var key in new long[] { 1, 2, 3 })
            many.Add(key, key);
        Assert.True(many.Overflowed);
        Assert.Null(FingerprintPairs.Encode(new FingerprintPairs(limit: 2), many));
    }
}
