using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.Drift;
using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.Execution;

/// <summary>
/// Resolves a job's drift reference when a run starts: an earlier run's merged sketches, the model
/// version's registered profile, or a window of the source scanned and scored now. A stored reference
/// this build cannot read does not stop the run: it scores without drift, and its drift report fails with why.
/// </summary>
internal sealed class DriftReferenceResolver(RunDriftFinalizer drift, ILogger<DriftReferenceResolver> logger)
{
    /// <summary>The context with its <see cref="RunContext.Drift"/> reference, or with <see cref="RunContext.DriftUnavailable"/> saying why there is none.</summary>
    public async Task<RunContext> ResolveAsync(RunContext context, CancellationToken cancellationToken)
    {
        var spec = context.Job.Drift;
        if (!spec.Enabled)
            return context;
        if (spec.Reference.WindowStart is { } start && spec.Reference.WindowEnd is { } end)
            return context with { Drift = new ResolvedDriftReference(await ScanWindowAsync(context, start, end, cancellationToken), $"source window {start:O} .. {end:O}") };

        (DatasetSketch Sketch, string Description)? loaded;
        try
        {
            loaded = await drift.LoadReferenceAsync(spec.Reference, context.Model.Name, RegistryVersion(context), cancellationToken);
        }
        catch (FormatException e)
        {
            logger.LogError("Job {JobName}: the drift reference cannot be read, so this run measures no drift: {Error}", context.Job.Name, e.Message);
            return context with { DriftUnavailable = e.Message };
        }
        if (loaded is null)
        {
            logger.LogInformation("Job {JobName}: no drift reference (model {Model} has no registered profile); drift is not measured",
                context.Job.Name, context.Model.Name);
            return context;
        }
        return context with { Drift = new ResolvedDriftReference(loaded.Value.Sketch, loaded.Value.Description) };
    }

    private static int? RegistryVersion(RunContext context) => int.TryParse(context.Model.Version, out var version) ? version : null;

    private async Task<DatasetSketch> ScanWindowAsync(RunContext context, DateTime start, DateTime end, CancellationToken cancellationToken)
    {
        var reference = await ReferenceSketcher.BuildAsync(context.Source, context.ReadColumns, context.KeyColumns.Select(k => k.Name).ToArray(),
            context.Scorer, context.Job.FeatureMapping, new PartitionBounds { WindowStart = start, WindowEnd = end }, cancellationToken);
        logger.LogInformation("Job {JobName}: drift reference built from the source window {Start:O} .. {End:O} ({Rows} rows)",
            context.Job.Name, start, end, reference.RowCount);
        return reference;
    }
}
