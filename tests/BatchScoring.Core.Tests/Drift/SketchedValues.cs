using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Core.Tests.Drift;

/// <summary>One float column sketched the way a run sketches it: a two-pass reference, a run in partitions stored and merged.</summary>
internal static class SketchedValues
{
    private static readonly ColumnSchema[] Schema = [new("id", ColumnKind.Int64), new("x", ColumnKind.Float64)];

    /// <summary>The drift of the column between a reference and a run of <paramref name="partitions"/> partitions (the first of one row).</summary>
    public static FeatureDrift Analyze(double[] referenceValues, double[] currentValues, int partitions = 1)
    {
        var features = new[] { FeatureDefinition.Of(Schema[1], FeatureRole.Input) };
        var reference = Fill(Fill(DatasetSketch.Unfrozen(features), referenceValues, 0, 1).FreezeLayout(), referenceValues, 0, 1);
        var current = Fill(reference.EmptyCopy(DatasetSketch.RunSalt(1)), currentValues, 10_000_000, partitions);
        return DriftAnalyzer.Analyze(reference, current, DriftSpec.Default, "test").Features.Single();
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Adds the values split into partitions that are sketched apart, stored as JSON and merged.</summary>
    private static DatasetSketch Fill(DatasetSketch sketch, double[] values, long firstKey, int partitions)
    {
        var bounds = Enumerable.Range(0, partitions + 1).Select(i => i == 0 ? 0 : i == partitions ? values.Length : Math.Min(values.Length, i == 1 ? 1 : i * values.Length / partitions)).ToArray();
        for (var p = 0; p < partitions; p++)
        {
            var (start, end) = (bounds[p], Math.Max(bounds[p], bounds[p + 1]));
            var part = sketch.EmptyCopy();
            // Batches of at most 8192 rows, as a source reads them.
            for (var from = start; from < end; from += 8192)
            {
                var size = Math.Min(8192, end - from);
                var batch = new RowBatch(Schema, size) { Count = size };
                for (var i = 0; i < size; i++)
                {
                    batch.Column<long>("id").Set(i, firstKey + from + i);
                    batch.Column<double>("x").Set(i, values[from + i]);
                }
                part.Add(batch, FeatureRole.Input, RowKeyHasher.Hash(batch, ["id"]));
            }
            sketch.Merge(DatasetSketch.FromJson(part.ToJson()));
        }
        return sketch;
    }
}
