using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;

namespace BatchScoring.Postgres.Drift;

/// <summary>
/// The drift step of a run's finalizer: find the reference, merge the partitions' sketches, analyse
/// them and store the report.
/// </summary>
public sealed class RunDriftFinalizer(DriftSketchStore sketches, DriftReportStore reports)
{
    /// <summary>
    /// The reference a job's drift section names, for a run of the given model version: the version's
    /// registered profile, or an earlier run's merged sketches. A window of the source is scanned by the
    /// caller with <see cref="DatasetSketch.BuildReferenceAsync"/> instead. Null when there is none.
    /// </summary>
    public Task<(DatasetSketch Sketch, string Description)?> LoadReferenceAsync(
        DriftReference reference, string? modelName, int? modelVersion, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<(DatasetSketch Sketch, string Description)?>(async () =>
    {
        if (reference.RunId is { } runId)
        {
            var merged = await sketches.MergeRunSketchesAsync(runId, cancellationToken)
                ?? throw new BatchScoringException($"The drift reference run {runId} has no drift sketches.");
            return (merged, $"run {runId}");
        }
        if (reference.WindowStart is not null || reference.WindowEnd is not null)
            throw new InvalidOperationException("A source window reference is built by scanning the source (DatasetSketch.BuildReferenceAsync), not loaded.");
        if (modelName is null || modelVersion is null)
            return null;
        var profile = await sketches.LoadReferenceProfileAsync(modelName, modelVersion.Value, cancellationToken);
        return profile is null ? null : (profile, $"model {modelName}@{modelVersion} profile");
    });

    /// <summary>Merges the run's partition sketches, compares them with the reference and stores the report; null when no partition left a sketch.</summary>
    public Task<DriftReport?> FinalizeAsync(long runId, DatasetSketch reference, string referenceDescription, DriftSpec spec, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<DriftReport?>(async () =>
    {
        var current = await sketches.MergeRunSketchesAsync(runId, cancellationToken);
        if (current is null)
        {
            await reports.RecordStatusAsync(runId, DriftStatus.NoSketches, null, cancellationToken);
            return null;
        }
        var report = DriftAnalyzer.Analyze(reference, current, spec, referenceDescription);
        await reports.SaveAsync(runId, report, cancellationToken);
        return report;
    });

    /// <summary>Records that the run measures no drift, or that its drift report failed with <paramref name="error"/>.</summary>
    public Task RecordStatusAsync(long runId, string status, string? error, CancellationToken cancellationToken) =>
        DatabaseCalls.RunAsync(() => reports.RecordStatusAsync(runId, status, error, cancellationToken));
}
