using BatchScoring.Core.Sql;

namespace BatchScoring.Core.Jobs;

/// <summary>A validated job: what to read, which model scores it, and where the scores go.</summary>
public sealed record JobSpec(
    string Name,
    string Description,
    string FilePath,
    PostgresSourceSpec Source,
    ModelSpec Model,
    OutputSpec Output);

public sealed record PostgresSourceSpec(SqlIdentifier Table, IReadOnlyList<string> KeyColumns);

/// <summary>The model file, relative to the model folder unless absolute.</summary>
public sealed record ModelSpec(string Path);

public sealed record OutputSpec(SqlIdentifier Table);
