using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Drift.Statistics;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>
/// A reference and a run over the same customers with unchanged values: the bottom-k samples of the two
/// sides must be independent draws, or a test on them never rejects (the same keys give the same sample).
/// </summary>
public class SampleIndependenceTests
{
    private const int Rows = 10_000;
    private const int SampleSize = 300;
    private static readonly ColumnSchema[] Schema = [new("id", ColumnKind.Int64), new("x", ColumnKind.Float64)];

    [Fact]
    public void Ks_on_the_samples_of_a_reference_and_a_run_over_the_same_rows_rejects_at_about_the_nominal_rate()
    {
        const int seeds = 200;
        var rejections = 0;
        var overlaps = new int[seeds];
        Parallel.For(0, seeds, seed =>
        {
            var batch = Batch(seed);
            var reference = Reference(batch);
            var run = reference.EmptyCopy(DatasetSketch.RunSalt(seed));
            Add(run, batch);
            var (r, c) = (reference["x"].Numeric!.Sample.Values(), run["x"].Numeric!.Sample.Values());
            if (KolmogorovSmirnov.TwoSample(r, c).PValue < 0.05)
                Interlocked.Increment(ref rejections);
            overlaps[seed] = r.Intersect(c).Count();
        });
        // Nominal 5 %: 10 of 200, binomial sd 3.1. The exact test is a little conservative at these sizes.
        Assert.InRange(rejections, 3, 20);
        // Independent samples of 300 out of 10,000 share about 9 rows; the same salt would share all 300.
        Assert.InRange(overlaps.Average(), 4, 15);
    }

    [Fact]
    public void Sketches_of_the_same_salt_sample_the_same_keys_and_sketches_of_different_salts_do_not_merge()
    {
        var batch = Batch(seed: 7);
        var reference = Reference(batch);
        var sameSalt = reference.EmptyCopy();
        Add(sameSalt, batch);
        Assert.Equal(reference["x"].Numeric!.Sample.Entries(), sameSalt["x"].Numeric!.Sample.Entries());

        var run = reference.EmptyCopy(DatasetSketch.RunSalt(1));
        Assert.NotEqual(DatasetSketch.RunSalt(1), DatasetSketch.RunSalt(2));
        Assert.NotEqual(DatasetSketch.ReferenceSalt, DatasetSketch.RunSalt(1));
        Assert.Throws<InvalidOperationException>(() => run.Merge(reference));
        Assert.Equal(run.SampleSalt, DatasetSketch.FromJson(run.ToJson()).SampleSalt);
    }

    private static DatasetSketch Reference(RowBatch batch)
    {
        var features = new[] { FeatureDefinition.Of(Schema[1], FeatureRole.Input) };
        var layout = DatasetSketch.Unfrozen(features, SketchOptions.Default with { SampleSize = SampleSize });
        Add(layout, batch);
        var reference = layout.FreezeLayout();
        Add(reference, batch);
        return reference;
    }

    private static void Add(DatasetSketch sketch, RowBatch batch) => sketch.Add(batch, FeatureRole.Input, RowKeyHasher.Hash(batch, ["id"]));

    private static RowBatch Batch(int seed)
    {
        var random = new Random(seed);
        var batch = new RowBatch(Schema, Rows) { Count = Rows };
        for (var i = 0; i < Rows; i++)
        {
            batch.Column<long>("id").Set(i, i);
            batch.Column<double>("x").Set(i, Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        return batch;
    }
}
