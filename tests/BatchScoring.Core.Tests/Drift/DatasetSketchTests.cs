using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Testing;

namespace BatchScoring.Core.Tests.Drift;

public class DatasetSketchTests
{
    // Small sample and category capacities so that eviction and overflow happen.
    private static readonly SketchOptions Small = new() { SampleSize = 150, TopK = 3, CategoryCapacity = 4 };

    [Fact]
    public void Sketches_merged_from_16_partitions_equal_the_sketch_of_the_whole_data()
    {
        var reference = DriftTestData.Reference(3000, seed: 5, Small);
        var data = DriftTestData.Generate(20_000, seed: 6, firstKey: 0, new Plant { NewPlanShare = 0.3, TenureMissing = 0.1 });
        WithManyCategories(data.Input);
        var hashes = RowKeyHasher.Hash(data.Input, DriftTestData.KeyColumns);

        var whole = reference.EmptyCopy();
        whole.Add(data, hashes);

        // Partition by key hash bucket (as the planner does), each partition read in batches of uneven size.
        var partitions = Enumerable.Range(0, 16).Select(_ => reference.EmptyCopy()).ToArray();
        var random = new Random(7);
        var start = 0;
        while (start < data.Count)
        {
            var size = Math.Min(random.Next(1, 900), data.Count - start);
            foreach (var group in Enumerable.Range(start, size).GroupBy(row => (int)(hashes[row] % 16)))
            {
                var rows = group.ToArray();
                partitions[group.Key].Add(Slice(data, rows), rows.Select(r => hashes[r]).ToArray());
            }
            start += size;
        }

        // Through JSON (as stored in scoring.partitions.drift_sketch), merged in a shuffled order.
        var stored = partitions.Select(p => DatasetSketch.FromJson(p.ToJson())).OrderBy(_ => random.Next()).ToArray();
        var merged = DatasetSketch.MergeAll(stored);

        AssertEquivalent(whole, merged);
        Assert.Equal(20_000, merged.RowCount);
        Assert.Contains(merged.Features, f => f.Categories is { Others.IsExact: false });
        Assert.All(merged.Features.Where(f => f.Numeric is not null), f => Assert.Equal(150, f.Numeric!.Sample.Count));

        // Associative: merging pairwise in a tree gives the same sketch.
        var level = stored.Select(s => DatasetSketch.FromJson(s.ToJson())).ToList();
        while (level.Count > 1)
            level = level.Chunk(2).Select(pair => DatasetSketch.MergeAll(pair)).ToList();
        AssertEquivalent(whole, level[0]);
    }

    [Fact]
    public void Json_round_trip_keeps_every_count_and_the_sample()
    {
        var reference = DriftTestData.Reference(2000, seed: 3, Small);
        var json = reference.ToJson();
        var back = DatasetSketch.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.True(back.IsFrozen);
        Assert.Equal(reference.Options, back.Options);
    }

    [Fact]
    public void The_reference_freezes_equal_width_bins_over_its_1st_to_99th_percentile_and_its_top_categories()
    {
        var reference = DriftTestData.Reference(5000, seed: 3);
        var age = reference["age"].Numeric!;
        Assert.False(age.IsDiscrete);
        Assert.Equal(NumericBins.Intervals + 1, age.Edges.Length);
        var widths = age.Edges.Zip(age.Edges.Skip(1), (a, b) => b - a).ToArray();
        Assert.All(widths, w => Assert.Equal(widths[0], w, 1e-9));
        Assert.Equal(12, age.BinCounts.Length);
        // The two tail bins hold about 1 % of the rows each; the middle bins show the bell's shape.
        Assert.InRange(age.BinCounts[0], 20, 90);
        Assert.InRange(age.BinCounts[^1], 20, 90);
        Assert.True(age.BinCounts[5] + age.BinCounts[6] > 4 * (age.BinCounts[1] + age.BinCounts[10]));
        Assert.Equal(["basic", "standard", "premium", "family"], reference["plan"].Categories!.FrozenCategories);
        Assert.Equal(FeatureSketch.BinaryCategories, reference["has_app"].Categories!.FrozenCategories);
        Assert.InRange(reference["tenure"].NullCount, 50, 150);
        Assert.Equal(5000, reference["tenure"].Count);
    }

    [Fact]
    public void A_batch_without_a_feature_column_is_refused_with_its_name()
    {
        var reference = DriftTestData.Reference(500, seed: 3);
        var batch = new RowBatch([new ColumnSchema("age", ColumnKind.Float64)], 1) { Count = 1 };
        var e = Assert.Throws<InvalidOperationException>(() => reference.EmptyCopy().Add(batch, FeatureRole.Input, [1UL]));
        Assert.Contains("'income'", e.Message);
    }

    [Fact]
    public void Row_key_hashes_do_not_depend_on_the_integer_width_of_the_key()
    {
        var wide = new RowBatch([new ColumnSchema("id", ColumnKind.Int64)], 2) { Count = 2 };
        wide.Column<long>("id").Set(0, 42);
        wide.Column<long>("id").Set(1, 43);
        var narrow = new RowBatch([new ColumnSchema("id", ColumnKind.Int32)], 2) { Count = 2 };
        narrow.Column<int>("id").Set(0, 42);
        narrow.Column<int>("id").Set(1, 43);
        Assert.Equal(RowKeyHasher.Hash(wide, ["id"]), RowKeyHasher.Hash(narrow, ["id"]));
        Assert.NotEqual(RowKeyHasher.Hash(wide, ["id"])[0], RowKeyHasher.Hash(wide, ["id"])[1]);
    }

    private static void WithManyCategories(RowBatch input)
    {
        var plan = input.Column<string>("plan");
        for (var row = 0; row < input.Count; row += 7)
            plan.Set(row, $"custom-{row % 97}");
    }

    private static ScoredBatch Slice(ScoredBatch data, int[] rows)
    {
        RowBatch Take(RowBatch source)
        {
            var target = new RowBatch(source.Schema, rows.Length) { Count = rows.Length };
            for (var i = 0; i < rows.Length; i++)
            {
                foreach (var column in target.Columns)
                    source[column.Name].CopyTo(rows[i], column, i, 1);
            }
            return target;
        }
        return new ScoredBatch(Take(data.Input), Take(data.Outputs));
    }

    /// <summary>Counts, bins, categories and samples exactly; mean and variance up to floating-point rounding.</summary>
    private static void AssertEquivalent(DatasetSketch expected, DatasetSketch actual)
    {
        Assert.Equal(expected.Features.Select(f => f.Definition), actual.Features.Select(f => f.Definition));
        foreach (var e in expected.Features)
        {
            var a = actual[e.Name];
            Assert.Equal((e.Count, e.NullCount, e.NaNCount), (a.Count, a.NullCount, a.NaNCount));
            if (e.Numeric is { } en)
            {
                var an = a.Numeric!;
                Assert.Equal(en.BinCounts, an.BinCounts);
                Assert.Equal(en.Sample.Entries(), an.Sample.Entries());
                Assert.Equal(en.Moments.Count, an.Moments.Count);
                Assert.Equal((en.Moments.Min, en.Moments.Max), (an.Moments.Min, an.Moments.Max));
                Assert.Equal(en.Moments.Mean, an.Moments.Mean, Math.Abs(en.Moments.Mean) * 1e-12);
                Assert.Equal(en.Moments.M2, an.Moments.M2, en.Moments.M2 * 1e-12);
            }
            else
            {
                var (ec, ac) = (e.Categories!, a.Categories!);
                Assert.Equal(ec.FrozenCounts, ac.FrozenCounts);
                Assert.Equal((ec.UnseenCount, ec.OtherTotal, ec.Total), (ac.UnseenCount, ac.OtherTotal, ac.Total));
                // Frequent-item counters are exact below the capacity; above it, any split stays within the Misra–Gries bound.
                if (ec.Others.IsExact)
                    Assert.Equal(ec.Others.Items(), ac.Others.Items());
                else
                    Assert.InRange(ac.Others.Error, 0, ac.OtherTotal / (ac.Capacity + 1));
            }
        }
    }
}
