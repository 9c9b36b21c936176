using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Tests.Drift;

public class DiscreteNumericTests
{
    private static readonly ColumnSchema[] Schema = [new("id", ColumnKind.Int64), new("flag", ColumnKind.Int32), new("products", ColumnKind.Int32)];

    [Theory]
    [InlineData(800)]
    [InlineData(20_000)]
    public void A_0_1_integer_column_moving_from_0_3_to_0_6_is_compared_as_categories_and_flagged(int rows)
    {
        var reference = Reference(rows);
        var flag = reference["flag"].Numeric!;
        Assert.True(flag.IsDiscrete);
        Assert.Equal([0.0, 1.0], flag.Edges);

        var report = DriftAnalyzer.Analyze(reference, Fill(reference.EmptyCopy(), rows, seed: 2, flagShare: 0.6), DriftSpec.Default, "test");
        var feature = report.Features.Single(f => f.Feature == "flag");
        Assert.Equal(rows <= 1000 ? DriftMethod.ChiSquared : DriftMethod.JensenShannon, feature.Method);
        Assert.True(feature.Drifted, $"{feature.Method} {feature.Statistic}");
        Assert.Equal(feature.Statistics["chi_squared_p_value"], feature.PValue);
        Assert.Equal(["0", "1"], feature.Bins.Select(b => b.Bin));
        Assert.Equal(0.6, feature.Bins[1].Current, 0.05);
    }

    [Fact]
    public void Each_of_the_few_values_has_its_own_bin_and_values_new_to_the_reference_count_as_other()
    {
        var reference = Reference(5000);
        var current = Fill(reference.EmptyCopy(), 5000, seed: 3, flagShare: 0.3, newProducts: true);
        var products = DriftAnalyzer.Analyze(reference, current, DriftSpec.Default, "test").Features.Single(f => f.Feature == "products");
        Assert.Equal(["1", "2", "3", "4", "5", "(other)"], products.Bins.Select(b => b.Bin));
        Assert.Equal(0, products.Bins[^1].Reference);
        Assert.InRange(products.Statistics["unseen_share"], 0.05, 0.15);
        Assert.True(products.Drifted);
    }

    [Fact]
    public void Continuous_bins_are_half_open_with_an_open_top()
    {
        double[] edges = [1, 2, 3];
        Assert.Equal([0, 1, 2, 3, 3], new[] { 0.5, 1, 2, 3, 7 }.Select(v => NumericBins.IndexOf(edges, v, discrete: false)));
        Assert.Equal(["< 1", "[1, 2)", "[2, 3)", "≥ 3"], NumericBins.Labels(edges, discrete: false));
        Assert.Equal([0, 2, 3], new[] { 1.0, 3, 2.5 }.Select(v => NumericBins.IndexOf(edges, v, discrete: true)));
    }

    private static DatasetSketch Reference(int rows)
    {
        var features = Schema[1..].Select(c => FeatureDefinition.Of(c, FeatureRole.Input)).ToArray();
        return Fill(Fill(DatasetSketch.Unfrozen(features), rows, 1, 0.3).FreezeLayout(), rows, 1, 0.3);
    }

    private static DatasetSketch Fill(DatasetSketch sketch, int rows, int seed, double flagShare, bool newProducts = false)
    {
        var random = new Random(seed);
        var batch = new RowBatch(Schema, rows) { Count = rows };
        for (var i = 0; i < rows; i++)
        {
            batch.Column<long>("id").Set(i, i);
            batch.Column<int>("flag").Set(i, random.NextDouble() < flagShare ? 1 : 0);
            batch.Column<int>("products").Set(i, newProducts && random.NextDouble() < 0.1 ? 6 : random.Next(1, 6));
        }
        sketch.Add(batch, FeatureRole.Input, RowKeyHasher.Hash(batch, ["id"]));
        return sketch;
    }
}
