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
               started_at AS StartedAt, finished_at AS FinishedAt, error, host
        FROM scoring.runs
        """;

    /// <summary>
    /// Records a new running run. A job that already has a pending or running run anywhere in the
    /// cluster gets <see cref="RunInProgressException"/> instead: the partial unique index of
    /// sql/005_run_overlap_guard.sql decides, so two processes starting the same job at once cannot both win.
    /// </summary>
    /// <summary>The refusal for a job whose previous run is still pending or running (see migration 005's guard).</summary>
    internal static async Task<RunInProgressException> InProgressAsync(NpgsqlConnection connection, string jobName, CancellationToken cancellationToken)
        => (await ActiveRunAsync(connection, jobName, cancellationToken))?.ToException(jobName)
            ?? throw new InvalidOperationException($"Job '{jobName}': the run could not be recorded, yet no run of it is in progress.");

    private static Task<ActiveRun?> ActiveRunAsync(NpgsqlConnection connection, string jobName, CancellationToken cancellationToken)
        => connection.QuerySingleOrDefaultAsync<ActiveRun?>(new CommandDefinition(
            "SELECT run_id AS RunId, status, started_at AS StartedAt, host FROM scoring.runs WHERE job_name = @jobName AND status IN ('pending', 'running')",
            new { jobName }, cancellationToken: cancellationToken));

    /// <summary>Refuses early when the job already has a run in progress, before any work is done for a new one.</summary>
    public async Task ThrowIfInProgressAsync(string jobName, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await ActiveRunAsync(connection, jobName, cancellationToken) is { } active)
            throw active.ToException(jobName);
    }

    /// <summary>Records a run that failed before it could start (no partitions, nothing written).</summary>
    public async Task<long> RecordFailedStartAsync(RunStart start, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO scoring.runs (job_name, trigger, status, window_start, window_end, model_name, model_version, started_at, finished_at, host, error)
            VALUES (@JobName, @Trigger, 'failed', @WindowStart, @WindowEnd, @ModelName, @ModelVersion, clock_timestamp(), clock_timestamp(), @Host, @error)
            RETURNING run_id
            """, new
            {
                start.JobName, start.Trigger, WindowStart = start.Window?.StartUtc, WindowEnd = start.Window?.EndUtc,
                start.ModelName, start.ModelVersion, Host = Environment.MachineName, error,
            }, cancellationToken: cancellationToken));
    }

    private sealed record ActiveRun(long RunId, string Status, DateTime? StartedAt, string? Host)
    {
        public RunInProgressException ToException(string jobName) => new(jobName, RunId, Status, StartedAt, Host);
    }

    /// <summary>The most recent run of each job, by job name.</summary>
    public async Task<IReadOnlyDictionary<string, RunRecord>> LatestByJobAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var runs = await connection.QueryAsync<RunRecord>(new CommandDefinition(
            SelectRun + " WHERE run_id IN (SELECT max(run_id) FROM scoring.runs GROUP BY job_name)", cancellationToken: cancellationToken));
        return runs.ToDictionary(r => r.JobName);
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
