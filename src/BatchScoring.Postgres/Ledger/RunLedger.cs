using BatchScoring.Core.Runs;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Ledger;

/// <summary>Reads and writes <c>scoring.runs</c>.</summary>
public sealed class RunLedger(NpgsqlDataSource dataSource)
{
    private const string SelectRun = """
        SELECT run_id AS RunId, job_name AS JobName, trigger, status, window_start AS WindowStart, window_end AS WindowEnd,
               model_name AS ModelName, model_version AS ModelVersion, config_hash AS ConfigHash,
               rows_read AS RowsRead, rows_scored AS RowsScored, rows_failed AS RowsFailed, created_at AS CreatedAt,
               started_at AS StartedAt, finished_at AS FinishedAt, error, parent_run_id AS ParentRunId, host
        FROM scoring.runs
        """;

    public async Task<long> StartAsync(RunStart start, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO scoring.runs (job_name, trigger, status, model_name, model_version, config_hash, started_at, host)
            VALUES (@JobName, @Trigger, 'running', @ModelName, @ModelVersion, @ConfigHash, clock_timestamp(), @Host)
            RETURNING run_id
            """, new { start.JobName, start.Trigger, start.ModelName, start.ModelVersion, start.ConfigHash, Host = Environment.MachineName },
            cancellationToken: cancellationToken));
    }

    /// <summary>Marks the run succeeded inside the caller's transaction, so it commits with the output.</summary>
    public static Task MarkSucceededAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, RunCounts counts, CancellationToken cancellationToken)
        => connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.runs
            SET status = @Status, rows_read = @RowsRead, rows_scored = @RowsScored, rows_failed = @RowsFailed, finished_at = clock_timestamp()
            WHERE run_id = @RunId
            """, new { Status = RunStatus.Succeeded, counts.RowsRead, counts.RowsScored, counts.RowsFailed, RunId = runId },
            transaction, cancellationToken: cancellationToken));

    /// <summary>Records a run that ended without committing output (failed or cancelled).</summary>
    public async Task MarkFinishedAsync(long runId, string status, string error, RunCounts counts, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.runs
            SET status = @Status, error = @Error, rows_read = @RowsRead, rows_scored = @RowsScored, rows_failed = @RowsFailed, finished_at = clock_timestamp()
            WHERE run_id = @RunId
            """, new { Status = status, Error = error, counts.RowsRead, counts.RowsScored, counts.RowsFailed, RunId = runId },
            cancellationToken: cancellationToken));
    }

    public async Task<RunRecord?> GetAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RunRecord>(new CommandDefinition(
            SelectRun + " WHERE run_id = @runId", new { runId }, cancellationToken: cancellationToken));
    }

    public async Task<RunDefinition?> DefinitionAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RunDefinition>(new CommandDefinition(
            """
            SELECT job_yaml AS JobYaml, job_file AS JobFile, model_name AS ModelName, model_path AS ModelPath, model_version AS ModelVersion,
                   challenger_name AS ChallengerName, challenger_version AS ChallengerVersion,
                   drift_reference::text AS DriftReferenceJson, drift_reference_name AS DriftReferenceName
            FROM scoring.runs WHERE run_id = @runId AND job_file IS NOT NULL
            """, new { runId }, cancellationToken: cancellationToken));
    }

    /// <summary>Runs, newest first, optionally of one job and/or in one status.</summary>
    public async Task<IReadOnlyList<RunRecord>> ListAsync(string? jobName, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<RunRecord>(new CommandDefinition(
            SelectRun + """
                 WHERE (@jobName::text IS NULL OR job_name = @jobName) AND (@status::text IS NULL OR status = @status)
                 ORDER BY run_id DESC LIMIT @limit
                """, new { jobName, status, limit }, cancellationToken: cancellationToken))).ToArray();
    }
}
