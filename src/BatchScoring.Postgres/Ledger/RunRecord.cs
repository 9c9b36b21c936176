namespace BatchScoring.Postgres.Ledger;

/// <summary>A row of <c>scoring.runs</c>.</summary>
public sealed record RunRecord(
    long RunId,
    string JobName,
    string Trigger,
    string Status,
    DateTime? WindowStart,
    DateTime? WindowEnd,
    string? ModelName,
    string? ModelVersion,
    string? ConfigHash,
    long RowsRead,
    long RowsScored,
    long RowsFailed,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    string? Error,
    string? Host,
    long RowsUnchanged,
    DateTime? RolledBackAt);

/// <summary>
/// What a worker needs to rebuild a run it did not start. <see cref="DriftReferenceError"/> is why the run's drift
/// reference could not be read when it started (the run then scores without sketches, and its drift report fails).
/// </summary>
public sealed record RunDefinition(string? JobYaml, string JobFile, string? ModelName, string ModelPath, string? ModelVersion,
    string? ChallengerName, string? ChallengerVersion, string? DriftReferenceJson, string? DriftReferenceName, string? DriftReferenceError);
