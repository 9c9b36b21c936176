using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Drift;

/// <summary>
/// Builds a reference profile from rows of a source: the model inputs as read and the model outputs as
/// the model scores them, in two passes (the first fixes bins and categories, the second counts).
/// Used for a model's registered profile and for a job whose drift reference is a window of its source.
/// </summary>
public static class ReferenceSketcher
{
    public static Task<DatasetSketch> BuildAsync(
        IBatchSource source,
        IReadOnlyList<ColumnSchema> readColumns,
        IReadOnlyList<string> keyColumns,
        IsolatingScorer scorer,
        IReadOnlyDictionary<string, string>? featureMapping,
        PartitionBounds bounds,
        CancellationToken cancellationToken)
    {
        var inputNames = scorer.Inner.Inputs.Select(i => InputBinder.SourceColumn(i.Name, featureMapping)).ToHashSet(StringComparer.Ordinal);
        var features = DatasetSketch.FeaturesOf(readColumns.Where(c => inputNames.Contains(c.Name)), scorer.Inner.Outputs);
        return DatasetSketch.BuildReferenceAsync(features, SketchOptions.Default, async (sketch, token) =>
        {
            await foreach (var batch in source.ReadAsync(readColumns, bounds, 8192, token))
            {
                var scored = scorer.Score(InputBinder.ForModel(batch, scorer.Inner.Inputs, featureMapping)).Scored;
                sketch.Add(scored, RowKeyHasher.Hash(scored.Input, keyColumns));
            }
        }, cancellationToken);
    }
}
