using BatchScoring.Core.Drift.Sketches;

namespace BatchScoring.Core.Tests.Drift;

public sealed class BottomKSampleTests
{
    [Theory]
    [InlineData(1, 50)]
    [InlineData(7, 5)]
    [InlineData(100, 10_000)]
    public void Keeps_the_entries_of_the_smallest_hashes_whatever_the_order_and_merges_to_the_sample_of_the_whole(int capacity, int rows)
    {
        var random = new Random(capacity * 31 + rows);
        // Few distinct hashes, so that ties between hashes are ordered by value, as the tuples compare.
        var entries = Enumerable.Range(0, rows).Select(i => ((ulong)random.Next(rows / 2 + 1), (double)i)).OrderBy(_ => random.Next()).ToArray();
        var expected = entries.Order().Take(capacity).ToArray();

        var whole = new BottomKSample(capacity);
        foreach (var (hash, value) in entries)
            whole.Add(hash, value);
        var (left, right) = (new BottomKSample(capacity), new BottomKSample(capacity));
        for (var i = 0; i < entries.Length; i++)
            (i % 3 == 0 ? left : right).Add(entries[i].Item1, entries[i].Item2);
        left.Merge(right);

        Assert.Equal(expected, whole.Entries().Select(e => (e.Hash, e.Value)));
        Assert.Equal(expected, left.Entries().Select(e => (e.Hash, e.Value)));
        Assert.Equal(expected.Select(e => e.Item2), whole.Values());
        Assert.Equal(Math.Min(capacity, rows), whole.Count);
    }
}
