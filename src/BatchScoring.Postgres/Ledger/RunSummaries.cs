using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Ledger;

/// <summary>A run at a glance, for <c>runs show</c>: partitions by status, the slowest and the failed ones, drift and shadow figures.</summary>
public sealed record RunOverview(
    IReadOnlyDictionary<string, int> PartitionsByStatus,
    IReadOnlyList<PartitionRecord> Slowest,
    IReadOnlyList<PartitionRecord> Failed,
    DriftVerdict? Drift,
    ShadowFigures? Shadow);

/// <summary>The verdict of <c>scoring.drift_runs</c>.</summary>
public sealed record DriftVerdict(string Reference, bool DatasetDrift, int DriftedFeatures, int InputFeatures, bool PredictionDrift);

/// <summary>The challenger scored in shadow and how closely it agreed with the champion (<c>scoring.runs.shadow_*</c>).</summary>
public sealed record ShadowFigures(string ChallengerName, string? ChallengerVersion, long? Rows, double? LabelAgreement, double? MeanAbsoluteScoreDifference, double? ScoreCorrelation);

/// <summary>Read-only summaries of runs, for the <c>runs</c> verbs (works as <c>batchscoring_analyst</c>).</summary>
public sealed class RunSummaries(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        p.partition_id AS PartitionId, p.run_id AS RunId, p.partition_key AS PartitionKey, p.status, p.attempts,
        p.lease_owner AS LeaseOwner, p.estimated_rows AS EstimatedRows, p.rows_read AS RowsRead, p.rows_scored AS RowsScored,
        p.rows_failed AS RowsFailed, p.started_at AS StartedAt, p.finished_at AS FinishedAt, p.last_error AS LastError,
        p.completed_by AS CompletedBy, p.rows_unchanged AS RowsUnchanged
        """;

    public async Task<RunOverview> SummarizeAsync(long runId, int top, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var byStatus = (await connection.QueryAsync<(string Status, int Count)>(new CommandDefinition(
            "SELECT status, count(*)::int FROM scoring.partitions WHERE run_id = @runId GROUP BY status ORDER BY status",
            new { runId }, cancellationToken: cancellationToken))).ToDictionary(r => r.Status, r => r.Count);
        var slowest = (await connection.QueryAsync<PartitionRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM scoring.partitions p
            WHERE p.run_id = @runId AND p.status = 'succeeded' AND p.started_at IS NOT NULL AND p.finished_at IS NOT NULL
            ORDER BY p.finished_at - p.started_at DESC, p.partition_id LIMIT @top
            """, new { runId, top }, cancellationToken: cancellationToken))).ToArray();
        var failed = (await connection.QueryAsync<PartitionRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM scoring.partitions p WHERE p.run_id = @runId AND p.status = 'failed' ORDER BY p.partition_id LIMIT @top",
            new { runId, top }, cancellationToken: cancellationToken))).ToArray();
        var drift = await connection.QuerySingleOrDefaultAsync<DriftVerdict>(new CommandDefinition(
            """
            SELECT reference AS Reference, dataset_drift AS DatasetDrift, drifted_features AS DriftedFeatures,
                   input_features AS InputFeatures, prediction_drift AS PredictionDrift
            FROM scoring.drift_runs WHERE run_id = @runId
            """, new { runId }, cancellationToken: cancellationToken));
        var shadow = await connection.QuerySingleOrDefaultAsync<ShadowFigures>(new CommandDefinition(
            """
            SELECT challenger_name AS ChallengerName, challenger_version AS ChallengerVersion, shadow_rows AS Rows,
                   shadow_label_agreement AS LabelAgreement, shadow_mean_abs_score_diff AS MeanAbsoluteScoreDifference,
                   shadow_score_correlation AS ScoreCorrelation
            FROM scoring.runs WHERE run_id = @runId AND challenger_name IS NOT NULL
            """, new { runId }, cancellationToken: cancellationToken));
        return new RunOverview(byStatus, slowest, failed, drift, shadow);
    }

    /// <summary>Each run's first error: its own, else the error of its first failed partition.</summary>
    public async Task<IReadOnlyDictionary<long, string>> FirstErrorsAsync(IReadOnlyCollection<long> runIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long RunId, string Error)>(new CommandDefinition(
            """
            SELECT r.run_id, coalesce(r.error, (
                SELECT p.last_error FROM scoring.partitions p
                WHERE p.run_id = r.run_id AND p.status = 'failed' AND p.last_error IS NOT NULL
                ORDER BY p.finished_at NULLS LAST, p.partition_id LIMIT 1))
            FROM scoring.runs r WHERE r.run_id = ANY(@ids)
            """, new { ids = runIds.ToArray() }, cancellationToken: cancellationToken));
        return rows.Where(r => r.Error is not null).ToDictionary(r => r.RunId, r => r.Error);
    }
}
