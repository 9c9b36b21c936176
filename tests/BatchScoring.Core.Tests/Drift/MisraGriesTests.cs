using BatchScoring.Core.Drift.Sketches;

namespace BatchScoring.Core.Tests.Drift;

public class MisraGriesTests
{
    [Fact]
    public void Below_the_capacity_every_count_is_exact_however_the_stream_is_split()
    {
        var random = new Random(1);
        var items = Enumerable.Range(0, 5000).Select(_ => $"c{random.Next(40)}").ToArray();
        var whole = new MisraGries(50);
        foreach (var item in items)
            whole.Add(item, 1);
        var parts = items.Chunk(333).Select(chunk =>
        {
            var part = new MisraGries(50);
            foreach (var item in chunk)
                part.Add(item, 1);
            return part;
        }).ToArray();
        var merged = new MisraGries(50);
        foreach (var part in parts)
            merged.Merge(part);

        var exact = items.GroupBy(i => i).Select(g => (g.Key, (long)g.Count())).OrderByDescending(p => p.Item2).ThenBy(p => p.Key, StringComparer.Ordinal);
        Assert.True(merged.IsExact);
        Assert.Equal(exact, merged.Items());
        Assert.Equal(whole.Items(), merged.Items());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Above_the_capacity_a_frequent_category_is_kept_and_every_count_is_within_the_error(int seed)
    {
        // One category of 20 % of the rows among 4,000 rare ones, split over 16 partitions and merged.
        var random = new Random(seed);
        var items = Enumerable.Range(0, 60_000).Select(_ => random.NextDouble() < 0.2 ? "dominant" : $"rare-{random.Next(4000)}").ToArray();
        const int capacity = 100;
        var merged = new MisraGries(capacity);
        foreach (var partition in items.GroupBy(_ => random.Next(16)))
        {
            var part = new MisraGries(capacity);
            foreach (var item in partition)
                part.Add(item, 1);
            merged.Merge(part);
        }

        var exact = items.GroupBy(i => i).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal("dominant", merged.Items()[0].Item);
        Assert.InRange(merged.Error, 1, items.Length / (capacity + 1));
        Assert.All(merged.Items(), kept => Assert.InRange(kept.Count, exact[kept.Item] - merged.Error, exact[kept.Item]));
        Assert.All(exact.Where(e => merged.Estimate(e.Key) == 0), missing => Assert.True(missing.Value <= merged.Error, missing.Key));
    }
}
