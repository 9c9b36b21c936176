using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Drift;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// <c>models register --reference</c>: profiles a model version's training data (a table or Parquet) and
/// stores the sketch with the version, where runs of that version find their drift reference.
/// </summary>
internal sealed class ReferenceProfileBuilder(SourceDataSource sourceData, ModelResolver models, DriftSketchStore sketches, IOptions<SourcesOptions> sources)
{
    public async Task<DatasetSketch> BuildAsync(string modelName, int version, string reference, IReadOnlyList<string> keyColumns, CancellationToken cancellationToken)
    {
        var model = await models.LoadRegisteredAsync(new ModelReference { Name = modelName, Version = version }, cancellationToken);
        var spec = IsParquet(reference)
            ? (SourceSpec)new ParquetSourceSpec(reference, keyColumns)
            : new PostgresTableSourceSpec(SqlIdentifier.Parse(reference, "reference table"), keyColumns);
        var source = SourceFactory.Create(sourceData, spec, sources.Value.ParquetPaths());
        var columns = await source.DescribeAsync(cancellationToken);
        var keys = keyColumns.Count > 0 ? keyColumns : columns.Take(1).Select(c => c.Name).ToArray();
        var missing = keys.Where(k => columns.All(c => c.Name != k)).ToArray();
        if (missing.Length > 0)
            throw new BatchScoringException($"Reference {reference} has no key column '{missing[0]}'.");
        var inputs = InputBinder.Bind($"{modelName}@{version}", reference, columns, model.Scorer.Inputs);
        var read = columns.Where(c => keys.Contains(c.Name)).Concat(inputs).DistinctBy(c => c.Name).ToArray();

        var profile = await ReferenceSketcher.BuildAsync(source, read, keys, new IsolatingScorer(model.Scorer), null,
            PartitionBounds.Everything, cancellationToken);
        await sketches.SaveReferenceProfileAsync(modelName, version, profile, cancellationToken);
        return profile;
    }

    private static bool IsParquet(string reference)
        => reference.Contains('/', StringComparison.Ordinal) || reference.Contains('*', StringComparison.Ordinal)
            || reference.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || Directory.Exists(reference);
}
