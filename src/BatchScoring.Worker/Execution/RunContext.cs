using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Loading;
using BatchScoring.Postgres.Output;

namespace BatchScoring.Worker.Execution;

/// <summary>Everything a worker needs to score any partition of one run, checked before any row is read.</summary>
public sealed record RunContext(
    JobSpec Job,
    LoadedModel Model,
    IsolatingScorer Scorer,
    IBatchSource Source,
    IReadOnlyList<ColumnSchema> ReadColumns,
    IReadOnlyList<ColumnSchema> KeyColumns,
    OutputTableSchema Output);
