using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Loading;
using BatchScoring.Parquet.Sinks;
using BatchScoring.Postgres.Output;

namespace BatchScoring.Worker.Execution;

/// <summary>Everything a worker needs to score any partition of one run, checked before any row is read.</summary>
internal sealed record RunContext(
    JobSpec Job,
    LoadedModel Model,
    IsolatingScorer Scorer,
    IBatchSource Source,
    IReadOnlyList<ColumnSchema> ReadColumns,
    IReadOnlyList<ColumnSchema> KeyColumns,
    OutputWritePath OutputWrite)
{
    /// <summary>The PostgreSQL output table; null when scores go only to <see cref="ParquetOutput"/>.</summary>
    public OutputTableSchema? Output { get; init; }

    /// <summary>What drift is measured against; null when the run measures no drift.</summary>
    public ResolvedDriftReference? Drift { get; init; }

    /// <summary>Why the job's drift reference could not be read (an older sketch format, a damaged profile); the run then sketches nothing.</summary>
    public string? DriftUnavailable { get; init; }

    /// <summary>The challenger scored in shadow; null without one.</summary>
    public ShadowContext? Shadow { get; init; }

    /// <summary><c>output.skip_unchanged</c>: partitions keep their rows' fingerprints in <c>scoring.kept_fingerprints</c> (<see cref="KeptFingerprints"/>).</summary>
    public bool KeepsFingerprints { get; init; }

    /// <summary>Where scored rows are also written as Parquet files (<c>output.parquet_folder</c>); null when not.</summary>
    public ParquetPartitionSink? ParquetOutput { get; init; }
}

/// <summary>A challenger model and the shadow table its scores go to (never the main one).</summary>
internal sealed record ShadowContext(LoadedModel Challenger, OutputTableSchema Output);

/// <summary>A frozen reference sketch (its bins decide every partition's bins) and what it is, for reports.</summary>
internal sealed record ResolvedDriftReference(DatasetSketch Reference, string Description);
