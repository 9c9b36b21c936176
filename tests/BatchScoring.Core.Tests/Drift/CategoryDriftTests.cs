using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>A high-cardinality text column: one category of 20 % of the rows among 4,000 rare ones.</summary>
public class CategoryDriftTests
{
    private static readonly ColumnSchema[] Schema = [new("id", ColumnKind.Int64), new("city", ColumnKind.Text)];

    [Fact]
    public void The_frequent_category_is_kept_by_name_and_its_vanishing_is_flagged()
    {
        var reference = Reference(seed: 1);
        Assert.Equal("dominant", reference["city"].Categories!.FrozenCategories[0]);

        var report = Analyze(reference, Fill(reference.EmptyCopy(), seed: 2, dominantShare: 0));
        var city = report.Features.Single();
        Assert.True(city.Drifted, $"JS {city.Statistic}");
        Assert.True(city.Statistics["jensen_shannon"] > 0.2, $"JS {city.Statistics["jensen_shannon"]}");
        Assert.Equal(0.2, city.Bins.Single(b => b.Bin == "dominant").Reference, 0.02);
    }

    [Fact]
    public void Unseen_share_is_zero_when_every_current_category_is_in_the_reference_and_exact_for_new_ones()
    {
        var reference = Reference(seed: 1);
        var same = Analyze(reference, Fill(reference.EmptyCopy(), seed: 3, dominantShare: 0.2)).Features.Single();
        Assert.Equal(0, same.Statistics["unseen_share"]);
        Assert.False(same.Drifted);

        var current = Fill(reference.EmptyCopy(), seed: 4, dominantShare: 0.2, newShare: 0.05);
        var expected = (double)current["city"].Categories!.UnseenCount / current["city"].Categories!.Total;
        Assert.InRange(expected, 0.04, 0.06);
        Assert.Equal(expected, Analyze(reference, current).Features.Single().Statistics["unseen_share"]);
    }

    [Fact]
    public void Categories_the_reference_does_not_have_are_named_most_frequent_first_with_their_share()
    {
        var reference = Reference(seed: 1);
        var report = Analyze(reference, Fill(reference.EmptyCopy(), seed: 5, dominantShare: 0.2, newShare: 0.3, newKinds: 2));

        var named = report.Features.Single().NewCategories;
        Assert.Equal(["new-0", "new-1"], named.Select(c => c.Bin).Order(StringComparer.Ordinal));
        Assert.Equal(0.3, named.Sum(c => c.Current), 0.02);
        Assert.All(named, c => Assert.Equal(0, c.Reference));
        Assert.True(named[0].Current >= named[1].Current);
        Assert.Empty(Analyze(reference, Fill(reference.EmptyCopy(), seed: 6, dominantShare: 0.2)).Features.Single().NewCategories);
    }

    private static DriftReport Analyze(DatasetSketch reference, DatasetSketch current) => DriftAnalyzer.Analyze(reference, current, DriftSpec.Default, "test");

    private static DatasetSketch Reference(int seed)
    {
        var features = new[] { FeatureDefinition.Of(Schema[1], FeatureRole.Input) };
        return Fill(Fill(DatasetSketch.Unfrozen(features, SketchOptions.Default with { CategoryCapacity = 5000 }), seed, 0.2).FreezeLayout(), seed, 0.2);
    }

    private static DatasetSketch Fill(DatasetSketch sketch, int seed, double dominantShare, double newShare = 0, int newKinds = 100)
    {
        const int rows = 50_000;
        var random = new Random(seed);
        var batch = new RowBatch(Schema, rows) { Count = rows };
        for (var i = 0; i < rows; i++)
        {
            batch.Column<long>("id").Set(i, i);
            var u = random.NextDouble();
            batch.Column<string>("city").Set(i, u < dominantShare ? "dominant" : u < dominantShare + newShare ? $"new-{random.Next(newKinds)}" : $"rare-{random.Next(4000)}");
        }
        sketch.Add(batch, FeatureRole.Input, RowKeyHasher.Hash(batch, ["id"]));
        return sketch;
    }
}
