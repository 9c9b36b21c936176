using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Tests.Scoring;

public sealed class ChangedRowsMergeTests
{
    private static byte[] Kept(params (long Key, long Fingerprint)[] pairs)
    {
        var collected = new FingerprintPairs(100);
        foreach (var (key, fingerprint) in pairs)
            collected.Add(key, fingerprint);
        return FingerprintPairs.Encode(collected, new FingerprintPairs(100))!;
    }

    private static BatchColumn<long> Keys(params long[] keys)
    {
        var column = new BatchColumn<long>(new ColumnSchema("customer_id", ColumnKind.Int64), keys.Length);
        for (var i = 0; i < keys.Length; i++)
            column.Set(i, keys[i]);
        return column;
    }

    private static List<(long, long)> Pairs(FingerprintPairs pairs)
    {
        var result = new List<(long, long)>();
        foreach (var batch in FingerprintPairs.Decode(FingerprintPairs.Encode(pairs, new FingerprintPairs(100))!, new ColumnSchema("key", ColumnKind.Int64), 100))
            for (var row = 0; row < batch.Count; row++)
                result.Add((batch.Column<long>("key").Values[row], batch.Column<long>("input_fingerprint").Values[row]));
        return result;
    }

    [Fact]
    public void Kept_keys_still_in_the_source_and_not_read_are_unchanged_kept_keys_gone_from_it_are_passed_and_rows_read_are_compared()
    {
        var unchanged = new FingerprintPairs(100);
        // Kept: 1..8. In the source now: 1, 2, 3, 5, 6, 8, 9 (4 and 7 deleted, 9 new). Read: 3 (changed), 6 (updated to the same values), 9 (new).
        var merge = new ChangedRowsMerge(Kept((1, 11), (2, 22), (3, 33), (4, 44), (5, 55), (6, 66), (7, 77), (8, 88)), [1, 2, 3, 5, 6, 8, 9], unchanged);

        Assert.Equal([9L], merge.KeysNotKept());
        var split = merge.Split(Keys(3, 6), [99, 66]);
        Assert.Equal([0], split.Changed);
        Assert.Equal([1], split.Unchanged);
        Assert.Equal([6L], split.UnchangedKeys);
        Assert.Equal([4L], split.Passed);
        Assert.Equal(3, split.UnchangedUnread); // 1, 2 and 5
        var next = merge.Split(Keys(9), [90]);
        Assert.Equal([0], next.Changed);
        Assert.Equal([7L], next.Passed);
        Assert.Equal(1, next.UnchangedUnread); // 8
        var rest = merge.Finish();
        Assert.Empty(rest.Passed);
        Assert.Equal(0, rest.UnchangedUnread);

        Assert.Equal([(1, 11), (2, 22), (5, 55), (6, 66), (8, 88)], Pairs(unchanged));
    }

    [Fact]
    public void With_nothing_read_every_kept_key_is_unchanged_or_gone_at_the_end()
    {
        var unchanged = new FingerprintPairs(100);
        var merge = new ChangedRowsMerge(Kept((1, 11), (2, 22), (long.MaxValue, 7)), [1, long.MaxValue], unchanged);

        Assert.Empty(merge.KeysNotKept());
        var rest = merge.Finish();
        Assert.Equal([2L], rest.Passed);
        Assert.Equal(2, rest.UnchangedUnread);
        Assert.Equal([(1, 11), (long.MaxValue, 7)], Pairs(unchanged));
    }

    [Fact]
    public void Keys_the_source_has_and_that_were_not_kept_are_to_be_read_and_a_row_out_of_key_order_is_scored()
    {
        var unchanged = new FingerprintPairs(100);
        var merge = new ChangedRowsMerge(Kept((2, 22), (4, 44)), [1, 2, 3, 4, 5], unchanged);

        Assert.Equal([1L, 3L, 5L], merge.KeysNotKept());
        var split = merge.Split(Keys(1, 3, 2, 5), [10, 30, 22, 50]);
        Assert.Equal([0, 1, 2, 3], split.Changed);
        Assert.Equal(2, split.UnchangedUnread); // 2, passed on the way to 3, and 4 on the way to 5
        Assert.Equal(0, merge.Finish().UnchangedUnread);
    }
}
