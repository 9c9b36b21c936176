using BatchScoring.Core.Errors;

namespace BatchScoring.Postgres.Output;

/// <summary>A direct COPY into an upsert table met a key that is already there; the partition must be written by merging.</summary>
public sealed class OutputKeyConflictException(string table, Exception inner)
    : BatchScoringException($"Output table {table} already holds a key of this partition; it is written by merging instead.", inner);
