using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Ledger;

/// <summary>
/// Runs by lifecycle: creating a run with its partitions, finishing it once no partition is open,
/// cancelling, reopening and enforcing deadlines, and the reads of runs and their partitions.
/// </summary>
public sealed class RunLedger(NpgsqlDataSource dataSource)
{
    internal const string SelectRun = """
        SELECT run_id AS RunId, job_name AS JobName, trigger, status, window_start AS WindowStart, window_end AS WindowEnd,
               model_name AS ModelName, model_version AS ModelVersion, config_hash AS ConfigHash,
               rows_read AS RowsRead, rows_scored AS RowsScored, rows_failed AS RowsFailed, created_at AS CreatedAt,
               started_at AS StartedAt, finished_at AS FinishedAt, error, host, rows_unchanged AS RowsUnchanged,
               rolled_back_at AS RolledBackAt
        FROM scoring.runs
        """;

    private const string PartitionColumns = """
        p.partition_id AS PartitionId, p.run_id AS RunId, p.partition_key AS PartitionKey, p.status, p.attempts,
        p.lease_owner AS LeaseOwner, p.estimated_rows AS EstimatedRows, p.rows_read AS RowsRead, p.rows_scored AS RowsScored,
        p.rows_failed AS RowsFailed, p.started_at AS StartedAt, p.finished_at AS FinishedAt, p.last_error AS LastError,
        p.completed_by AS CompletedBy, p.rows_unchanged AS RowsUnchanged
        """;

    /// <summary>The refusal for a job whose previous run is still pending or running (see migration 005's guard).</summary>
    internal static async Task<RunInProgressException> InProgressAsync(NpgsqlConnection connection, string jobName, CancellationToken cancellationToken)
        => (await ActiveRunAsync(connection, jobName, cancellationToken))?.ToException(jobName)
            ?? throw new InvalidOperationException($"Job '{jobName}': the run could not be recorded, yet no run of it is in progress.");

    private static Task<ActiveRun?> ActiveRunAsync(NpgsqlConnection connection, string jobName, CancellationToken cancellationToken)
        => connection.QuerySingleOrDefaultAsync<ActiveRun?>(new CommandDefinition(
            $"SELECT run_id AS RunId, status, started_at AS StartedAt, host FROM scoring.runs WHERE job_name = @jobName AND {LedgerSql.RunInProgress}",
            new { jobName }, cancellationToken: cancellationToken));

    /// <summary>Refuses early when the job already has a run in progress, before any work is done for a new one.</summary>
    public Task ThrowIfInProgressAsync(string jobName, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await ActiveRunAsync(connection, jobName, cancellationToken) is { } active)
            throw active.ToException(jobName);
    });

    /// <summary>Records a run that failed before it could start (no partitions, nothing written).</summary>
    public Task<long> RecordFailedStartAsync(RunStart start, string error, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<long>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            INSERT INTO scoring.runs (job_name, trigger, status, window_start, window_end, model_name, model_version, started_at, finished_at, host, error)
            VALUES (@JobName, @Trigger, '{RunStatus.Failed}', @WindowStart, @WindowEnd, @ModelName, @ModelVersion, clock_timestamp(), clock_timestamp(), @Host, @error)
            RETURNING run_id
            """, new
            {
                start.JobName, start.Trigger, WindowStart = start.Window?.StartUtc, WindowEnd = start.Window?.EndUtc,
                start.ModelName, start.ModelVersion, Host = Environment.MachineName, error,
            }, cancellationToken: cancellationToken));
    });

    private sealed record ActiveRun(long RunId, string Status, DateTime? StartedAt, string? Host)
    {
        public RunInProgressException ToException(string jobName) => new(jobName, RunId, Status, StartedAt, Host);
    }

    /// <summary>The most recent run of each job, by job name.</summary>
    public Task<IReadOnlyDictionary<string, RunRecord>> LatestByJobAsync(CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyDictionary<string, RunRecord>>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var runs = await connection.QueryAsync<RunRecord>(new CommandDefinition(
            SelectRun + " WHERE run_id IN (SELECT max(run_id) FROM scoring.runs GROUP BY job_name)", cancellationToken: cancellationToken));
        return runs.ToDictionary(r => r.JobName);
    });

    public Task<RunRecord?> GetAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<RunRecord?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RunRecord>(new CommandDefinition(
            SelectRun + " WHERE run_id = @runId", new { runId }, cancellationToken: cancellationToken));
    });

    public Task<RunDefinition?> DefinitionAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<RunDefinition?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RunDefinition>(new CommandDefinition(
            """
            SELECT job_yaml AS JobYaml, job_file AS JobFile, model_name AS ModelName, model_path AS ModelPath, model_version AS ModelVersion,
                   challenger_name AS ChallengerName, challenger_version AS ChallengerVersion,
                   drift_reference::text AS DriftReferenceJson, drift_reference_name AS DriftReferenceName,
                   drift_error AS DriftReferenceError
            FROM scoring.runs WHERE run_id = @runId AND job_file IS NOT NULL
            """, new { runId }, cancellationToken: cancellationToken));
    });

    /// <summary>Runs, newest first, optionally of one job and/or in one status.</summary>
    public Task<IReadOnlyList<RunRecord>> ListAsync(string? jobName, string? status, int limit, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyList<RunRecord>>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<RunRecord>(new CommandDefinition(
            SelectRun + """
                 WHERE (@jobName::text IS NULL OR job_name = @jobName) AND (@status::text IS NULL OR status = @status)
                 ORDER BY run_id DESC LIMIT @limit
                """, new { jobName, status, limit }, cancellationToken: cancellationToken))).ToArray();
    });

    /// <summary>
    /// Records a new running run. A job that already has a pending or running run anywhere in the
    /// cluster gets <see cref="RunInProgressException"/> instead: the partial unique index of
    /// sql/005_run_overlap_guard.sql decides, so two processes starting the same job at once cannot both win.
    /// </summary>
    public Task<long> CreateRunAsync(NewRun run, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<long>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"""
            INSERT INTO scoring.runs (job_name, trigger, status, window_start, window_end, model_name, model_version, config_hash,
                                      started_at, host, job_yaml, job_file, model_path, max_attempts, max_concurrency, deadline, partitions_total,
                                      drift_reference, drift_reference_name, drift_error)
            VALUES (@JobName, @Trigger, '{RunStatus.Running}', @WindowStart, @WindowEnd, @ModelName, @ModelVersion, @ConfigHash,
                    clock_timestamp(), @Host, @JobYaml, @JobFile, @ModelPath, @MaxAttempts, @MaxConcurrency, @Deadline, @PartitionsTotal,
                    @DriftReferenceJson::jsonb, @DriftReferenceName, @DriftReferenceError)
            ON CONFLICT (job_name) WHERE {LedgerSql.RunInProgress} DO NOTHING
            RETURNING run_id
            """,
            new
            {
                run.Start.JobName, run.Start.Trigger, WindowStart = run.Window?.StartUtc, WindowEnd = run.Window?.EndUtc,
                run.Start.ModelName, run.Start.ModelVersion, run.Start.ConfigHash, Host = Environment.MachineName,
                run.JobYaml, run.JobFile, run.ModelPath, run.MaxAttempts, run.MaxConcurrency, run.Deadline,
                PartitionsTotal = run.Partitions.Count, run.DriftReferenceJson, run.DriftReferenceName, run.DriftReferenceError,
            }, transaction, cancellationToken: cancellationToken));
        if (inserted is not { } runId)
            throw await InProgressAsync(connection, run.Start.JobName, cancellationToken);

        await using (var importer = await connection.BeginBinaryImportAsync(
            """
            COPY scoring.partitions (run_id, partition_key, window_start, window_end, bucket, bucket_count,
                                     source_file, row_group_start, row_group_end, estimated_rows, key_from, key_to, timestamp_null)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var (bounds, estimatedRows) in run.Partitions)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(runId, cancellationToken);
                await importer.WriteAsync(bounds.Key, cancellationToken);
                await importer.WriteAsync((object?)bounds.WindowStart ?? DBNull.Value, NpgsqlTypes.NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync((object?)bounds.WindowEnd ?? DBNull.Value, NpgsqlTypes.NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(PartitionRow.BucketColumn(bounds), cancellationToken);
                await importer.WriteAsync(PartitionRow.BucketCountColumn(bounds), cancellationToken);
                await importer.WriteAsync((object?)bounds.File ?? DBNull.Value, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync((object?)bounds.RowGroupStart ?? DBNull.Value, NpgsqlTypes.NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync((object?)bounds.RowGroupEnd ?? DBNull.Value, NpgsqlTypes.NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync((object?)estimatedRows ?? DBNull.Value, NpgsqlTypes.NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync((object?)bounds.KeyFrom ?? DBNull.Value, NpgsqlTypes.NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync((object?)bounds.KeyTo ?? DBNull.Value, NpgsqlTypes.NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(bounds.TimestampIsNull, NpgsqlTypes.NpgsqlDbType.Boolean, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return runId;
    });

    /// <summary>
    /// Ends the run when no partition is pending or running: succeeded when every partition succeeded
    /// (even if a cancellation came too late to stop any), cancelled when cancellation was asked, failed when none succeeded, otherwise partially_failed.
    /// Returns the final status, or null while partitions are open (or when another worker already finished it).
    /// </summary>
    public Task<string?> FinishRunIfDoneAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<string?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            $"""
            WITH agg AS (
                SELECT count(*) FILTER (WHERE status IN ('{PartitionStatus.Pending}', '{PartitionStatus.Running}')) AS open,
                       count(*) FILTER (WHERE status = '{PartitionStatus.Succeeded}') AS succeeded,
                       count(*) FILTER (WHERE status = '{PartitionStatus.Failed}') AS failed,
                       count(*) FILTER (WHERE status = '{PartitionStatus.Cancelled}') AS cancelled,
                       count(*) AS total,
                       coalesce(sum(rows_read), 0) AS rows_read, coalesce(sum(rows_scored), 0) AS rows_scored,
                       coalesce(sum(rows_failed), 0) AS rows_failed, coalesce(sum(rows_unchanged), 0) AS rows_unchanged,
                       (SELECT format('%s: %s', partition_key, last_error) FROM scoring.partitions
                        WHERE run_id = @runId AND status = '{PartitionStatus.Failed}' ORDER BY partition_id LIMIT 1) AS first_error
                FROM scoring.partitions WHERE run_id = @runId
            )
            UPDATE scoring.runs r
            SET status = CASE WHEN agg.failed = 0 AND agg.cancelled = 0 THEN '{RunStatus.Succeeded}'
                              WHEN r.cancel_requested THEN '{RunStatus.Cancelled}'
                              WHEN agg.succeeded = 0 THEN '{RunStatus.Failed}'
                              ELSE '{RunStatus.PartiallyFailed}' END,
                rows_read = agg.rows_read, rows_scored = agg.rows_scored, rows_failed = agg.rows_failed, rows_unchanged = agg.rows_unchanged,
                finished_at = clock_timestamp(),
                error = CASE WHEN agg.failed > 0 THEN format('%s of %s partitions failed; first: %s', agg.failed, agg.total, agg.first_error)
                             WHEN r.cancel_requested THEN coalesce(r.error, {LedgerSql.CancelledError}) END
            FROM agg
            WHERE r.run_id = @runId AND r.status = '{RunStatus.Running}' AND agg.open = 0
            RETURNING r.status
            """, new { runId }, cancellationToken: cancellationToken));
    });

    /// <summary>Asks a run to stop: pending partitions are cancelled now, running ones when their worker next renews its lease.</summary>
    public Task<bool> RequestCancelAsync(long runId, string reason, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<bool>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE scoring.runs SET cancel_requested = true, error = @reason WHERE run_id = @runId AND status = '{RunStatus.Running}'",
            new { runId, reason }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE scoring.partitions SET status = '{PartitionStatus.Cancelled}', last_error = @reason, finished_at = clock_timestamp(),
                lease_owner = NULL, lease_expires_at = NULL
            WHERE run_id = @runId AND (status = '{PartitionStatus.Pending}' OR (status = '{PartitionStatus.Running}' AND lease_expires_at < now()))
            """, new { runId, reason }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return updated > 0;
    });

    /// <summary>
    /// Reopens a run so that every partition that has not succeeded is scored again: failed and
    /// cancelled ones, and running ones whose lease expired. Returns how many partitions were reopened.
    /// </summary>
    public Task<int> ReopenAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<int>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var reopened = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE scoring.partitions
            SET status = '{PartitionStatus.Pending}', attempts = 0, next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, finished_at = NULL
            WHERE run_id = @runId
              AND (status IN ('{PartitionStatus.Failed}', '{PartitionStatus.Cancelled}') OR (status = '{PartitionStatus.Running}' AND lease_expires_at < now()))
            """, new { runId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE scoring.runs SET status = '{RunStatus.Running}', cancel_requested = false, error = NULL, finished_at = NULL, finalized_at = NULL
            WHERE run_id = @runId
              AND (status <> '{RunStatus.Running}' OR @reopened > 0)
            """, new { runId, reopened }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return reopened;
    });

    /// <summary>Asks runs past their deadline (the job's timeout) to stop.</summary>
    public Task EnforceDeadlinesAsync(CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var late = await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT run_id FROM scoring.runs WHERE status = '{RunStatus.Running}' AND NOT cancel_requested AND deadline < now()",
            cancellationToken: cancellationToken));
        foreach (var runId in late)
            await RequestCancelAsync(runId, "the run exceeded the job's timeout", cancellationToken);
    });

    public Task<bool> IsFinishedAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<bool>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT status <> '{RunStatus.Running}' FROM scoring.runs WHERE run_id = @runId", new { runId }, cancellationToken: cancellationToken));
    });

    /// <summary>Records that the finalizer is done with the finished run (<c>finalized_at</c>).</summary>
    public Task MarkFinalizedAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE scoring.runs SET finalized_at = clock_timestamp() WHERE run_id = @runId", new { runId }, cancellationToken: cancellationToken));
    });

    public Task<bool> IsFinalizedAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<bool>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT finalized_at IS NOT NULL FROM scoring.runs WHERE run_id = @runId", new { runId }, cancellationToken: cancellationToken));
    });

    /// <summary>Running runs none of whose partitions is open any more (their finishing worker died before finishing them).</summary>
    public Task<IReadOnlyList<long>> RunsWithoutOpenPartitionsAsync(CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyList<long>>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            $"""
            SELECT r.run_id FROM scoring.runs r
            WHERE r.status = '{RunStatus.Running}' AND r.job_yaml IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM scoring.partitions p WHERE p.run_id = r.run_id AND p.status IN ('{PartitionStatus.Pending}', '{PartitionStatus.Running}'))
            """, cancellationToken: cancellationToken))).ToArray();
    });

    public Task<IReadOnlyList<PartitionRecord>> PartitionsAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyList<PartitionRecord>>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<PartitionRecord>(new CommandDefinition(
            $"SELECT {PartitionColumns} FROM scoring.partitions p WHERE p.run_id = @runId ORDER BY p.partition_id",
            new { runId }, cancellationToken: cancellationToken))).ToArray();
    });

    /// <summary>Which partition keys an earlier run of the job already covers, for <c>backfill --reprocess</c>.</summary>
    public Task<IReadOnlySet<string>> KeysToSkipAsync(string jobName, ReprocessMode mode, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlySet<string>>(async () =>
    {
        if (mode == ReprocessMode.All)
            return new HashSet<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sql = mode == ReprocessMode.Missing
            ? $"""
              SELECT DISTINCT p.partition_key FROM scoring.partitions p JOIN scoring.runs r ON r.run_id = p.run_id
              WHERE r.job_name = @jobName AND p.status = '{PartitionStatus.Succeeded}'
              """
            : $"""
              SELECT latest.partition_key FROM (
                  SELECT DISTINCT ON (p.partition_key) p.partition_key, p.status
                  FROM scoring.partitions p JOIN scoring.runs r ON r.run_id = p.run_id
                  WHERE r.job_name = @jobName ORDER BY p.partition_key, p.partition_id DESC) latest
              WHERE latest.status NOT IN ('{PartitionStatus.Failed}', '{PartitionStatus.Cancelled}')
              """;
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, new { jobName }, cancellationToken: cancellationToken))).ToHashSet();
    });

    /// <summary>The bounds of every partition of a run.</summary>
    public Task<IReadOnlyList<PartitionBounds>> BoundsAsync(long runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyList<PartitionBounds>>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PartitionRow>(new CommandDefinition(
            """
            SELECT partition_id AS PartitionId, run_id AS RunId, partition_key AS PartitionKey, window_start AS WindowStart, window_end AS WindowEnd,
                   bucket AS Bucket, bucket_count AS BucketCount, source_file AS SourceFile, row_group_start AS RowGroupStart,
                   row_group_end AS RowGroupEnd, attempts AS Attempts, lease_reclaims AS LeaseReclaims, key_from AS KeyFrom, key_to AS KeyTo,
                   timestamp_null AS TimestampIsNull
            FROM scoring.partitions WHERE run_id = @runId ORDER BY partition_id
            """, new { runId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToClaim().Bounds).ToArray();
    });
}
