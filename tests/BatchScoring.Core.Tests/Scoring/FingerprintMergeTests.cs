using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Tests.Scoring;

public sealed class FingerprintMergeTests
{
    private static readonly ColumnSchema Score = new("score", ColumnKind.Float32);

    /// <summary>Stored rows (key, fingerprint or null, score), in batches of two, as the ordered COPY out sends them.</summary>
    private static async IAsyncEnumerable<RowBatch> Stored(params (long Key, long? Fingerprint, float Score)[] rows)
    {
        foreach (var chunk in rows.Chunk(2))
        {
            var batch = new RowBatch([new("key", ColumnKind.Int64), InputFingerprint.Column, Score], chunk.Length) { Count = chunk.Length };
            for (var i = 0; i < chunk.Length; i++)
            {
                batch.Column<long>("key").Set(i, chunk[i].Key);
                if (chunk[i].Fingerprint is { } f)
                    batch.Column<long>("input_fingerprint").Set(i, f);
                else
                    batch.Column<long>("input_fingerprint").SetNull(i);
                batch.Column<float>("score").Set(i, chunk[i].Score);
            }
            await Task.Yield();
            yield return batch;
        }
    }

    private static BatchColumn<long> Keys(params long[] keys)
    {
        var column = new BatchColumn<long>(new ColumnSchema("customer_id", ColumnKind.Int64), keys.Length);
        for (var i = 0; i < keys.Length; i++)
            column.Set(i, keys[i]);
        return column;
    }

    [Fact]
    public async Task Rows_with_the_stored_fingerprint_are_unchanged_with_their_stored_scores_and_every_other_row_is_scored()
    {
        await using var merge = new FingerprintMerge(Stored((1, 11, 0.1f), (2, 22, 0.2f), (3, null, 0.3f), (5, 55, 0.5f), (6, 66, 0.6f), (8, 88, 0.8f)),
            [Score], depth: 1, CancellationToken.None);

        // 1 same, 2 changed, 3 stored without a fingerprint, 4 new, 6 same (5 passed over), then 5 out of order.
        var first = await merge.SplitAsync(Keys(1, 2, 3, 4, 6, 5), new long[] { 11, 99, 33, 44, 66, 55 }, CancellationToken.None);
        Assert.Equal([0, 4], first.Unchanged);
        Assert.Equal([1, 2, 3, 5], first.Changed);
        Assert.Equal([0.1f, 0.6f], ((BatchColumn<float>)first.UnchangedOutputs.Columns[0]).Values[..2]);
        Assert.Equal(2, first.UnchangedOutputs.Count);
        Assert.Equal([5L], first.Passed);

        var remaining = new List<long>();
        await foreach (var keys in merge.RemainingAsync(CancellationToken.None))
            remaining.AddRange(keys);
        Assert.Equal([8L], remaining);
    }
}
