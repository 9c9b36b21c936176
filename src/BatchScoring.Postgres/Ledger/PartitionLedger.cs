using BatchScoring.Core.Scoring;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Ledger;

/// <summary>
/// The partition side of the run ledger: creating a run with its partitions, claiming partitions
/// with <c>FOR UPDATE SKIP LOCKED</c> under a lease, renewing leases, recording attempts, and
/// finishing a run once no partition is open. Every worker of every process goes through here,
/// so the database, not any one process, decides who scores what.
/// </summary>
public sealed class PartitionLedger(NpgsqlDataSource dataSource)
{
    private const string PartitionColumns = """
        p.partition_id AS PartitionId, p.run_id AS RunId, p.partition_key AS PartitionKey, p.status, p.attempts,
        p.lease_owner AS LeaseOwner, p.estimated_rows AS EstimatedRows, p.rows_read AS RowsRead, p.rows_scored AS RowsScored,
        p.rows_failed AS RowsFailed, p.started_at AS StartedAt, p.finished_at AS FinishedAt, p.last_error AS LastError,
        p.completed_by AS CompletedBy
        """;

    public async Task<long> CreateRunAsync(NewRun run, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO scoring.runs (job_name, trigger, status, window_start, window_end, model_name, model_version, config_hash,
                                      started_at, host, job_yaml, job_file, model_path, max_attempts, max_concurrency, deadline, partitions_total,
                                      drift_reference, drift_reference_name)
            VALUES (@JobName, @Trigger, 'running', @WindowStart, @WindowEnd, @ModelName, @ModelVersion, @ConfigHash,
                    clock_timestamp(), @Host, @JobYaml, @JobFile, @ModelPath, @MaxAttempts, @MaxConcurrency, @Deadline, @PartitionsTotal,
                    @DriftReferenceJson::jsonb, @DriftReferenceName)
            ON CONFLICT (job_name) WHERE status IN ('pending', 'running') DO NOTHING
            RETURNING run_id
            """,
            new
            {
                run.Start.JobName, run.Start.Trigger, WindowStart = run.Window?.StartUtc, WindowEnd = run.Window?.EndUtc,
                run.Start.ModelName, run.Start.ModelVersion, run.Start.ConfigHash, Host = Environment.MachineName,
                run.JobYaml, run.JobFile, run.ModelPath, run.MaxAttempts, run.MaxConcurrency, run.Deadline,
                PartitionsTotal = run.Partitions.Count, run.DriftReferenceJson, run.DriftReferenceName,
            }, transaction, cancellationToken: cancellationToken));
        if (inserted is not { } runId)
            throw await RunLedger.InProgressAsync(connection, run.Start.JobName, cancellationToken);

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
                await importer.WriteAsync(bounds.Bucket, cancellationToken);
                await importer.WriteAsync(bounds.BucketCount, cancellationToken);
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
    }

    /// <summary>
    /// Claims one runnable partition — pending and due, or running with an expired lease (its worker
    /// died) — of <paramref name="runId"/>, or of any running run when null. Partitions whose worker
    /// died on their last allowed attempt are failed first.
    /// </summary>
    public async Task<ClaimedPartition?> ClaimAsync(string owner, TimeSpan lease, long? runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.partitions p
            SET status = CASE WHEN r.cancel_requested THEN 'cancelled' ELSE 'failed' END,
                last_error = CASE WHEN r.cancel_requested THEN 'cancelled'
                                  ELSE format('the worker %s stopped renewing its lease on attempt %s (process died?)', p.lease_owner, p.attempts) END,
                lease_owner = NULL, lease_expires_at = NULL, finished_at = clock_timestamp()
            FROM scoring.runs r
            WHERE r.run_id = p.run_id AND p.status = 'running' AND p.lease_expires_at < now()
              AND (p.attempts >= r.max_attempts OR r.cancel_requested)
              AND (@runId::bigint IS NULL OR p.run_id = @runId)
            """, new { runId }, cancellationToken: cancellationToken));

        var row = await connection.QuerySingleOrDefaultAsync<ClaimRow>(new CommandDefinition(
            """
            WITH candidate AS (
                SELECT p.partition_id, p.status AS previous_status
                FROM scoring.partitions p
                JOIN scoring.runs r ON r.run_id = p.run_id
                WHERE r.status = 'running' AND NOT r.cancel_requested
                  AND (@runId::bigint IS NULL OR p.run_id = @runId)
                  AND ((p.status = 'pending' AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= now()))
                       OR (p.status = 'running' AND p.lease_expires_at < now()))
                  AND (r.max_concurrency = 0 OR r.max_concurrency > (
                        SELECT count(*) FROM scoring.partitions q
                        WHERE q.run_id = p.run_id AND q.status = 'running' AND q.lease_expires_at >= now()))
                ORDER BY p.run_id, p.partition_id
                LIMIT 1
                FOR UPDATE OF p SKIP LOCKED
            )
            UPDATE scoring.partitions p
            SET lease_reclaims = p.lease_reclaims + CASE WHEN p.status = 'running' THEN 1 ELSE 0 END,
                status = 'running', attempts = p.attempts + 1, lease_owner = @owner,
                lease_expires_at = now() + @lease, started_at = clock_timestamp(), finished_at = NULL
            FROM candidate
            WHERE p.partition_id = candidate.partition_id
            RETURNING p.partition_id AS PartitionId, p.run_id AS RunId, p.partition_key AS PartitionKey,
                      p.window_start AS WindowStart, p.window_end AS WindowEnd, p.bucket AS Bucket, p.bucket_count AS BucketCount,
                      p.source_file AS SourceFile, p.row_group_start AS RowGroupStart, p.row_group_end AS RowGroupEnd,
                      p.attempts AS Attempts, (candidate.previous_status = 'running')::int AS LeaseReclaims,
                      p.key_from AS KeyFrom, p.key_to AS KeyTo, p.timestamp_null AS TimestampIsNull
            """, new { runId, owner, lease }, cancellationToken: cancellationToken));
        return row?.ToClaim();
    }

    /// <summary>Renews the leases this owner holds; partitions missing from the answer were lost and must be abandoned.</summary>
    public async Task<IReadOnlyList<LeaseState>> RenewAsync(string owner, IReadOnlyCollection<long> partitionIds, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (partitionIds.Count == 0)
            return [];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<LeaseState>(new CommandDefinition(
            """
            UPDATE scoring.partitions p SET lease_expires_at = now() + @lease
            FROM scoring.runs r
            WHERE r.run_id = p.run_id AND p.partition_id = ANY(@ids) AND p.lease_owner = @owner AND p.status = 'running'
            RETURNING p.partition_id AS PartitionId, r.cancel_requested AS CancelRequested
            """, new { ids = partitionIds.ToArray(), owner, lease }, cancellationToken: cancellationToken));
        return rows.ToArray();
    }

    /// <summary>
    /// Marks the partition succeeded inside its <see cref="Commit.PartitionCommit"/>. Fails with
    /// <see cref="LeaseLostException"/> when another worker took the lease, so that only one commit wins.
    /// </summary>
    internal static async Task CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ClaimedPartition partition,
        string owner, RunCounts counts, string? driftSketchJson, string? shadowAgreementJson, CancellationToken cancellationToken)
    {
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.partitions
            SET status = 'succeeded', rows_read = @RowsRead, rows_scored = @RowsScored, rows_failed = @RowsFailed,
                finished_at = clock_timestamp(), lease_owner = NULL, lease_expires_at = NULL, last_error = NULL,
                completed_by = @owner, drift_sketch = @sketch::jsonb, shadow_agreement = @agreement::jsonb
            WHERE partition_id = @id AND lease_owner = @owner AND status = 'running'
            """, new { counts.RowsRead, counts.RowsScored, counts.RowsFailed, sketch = driftSketchJson, agreement = shadowAgreementJson, id = partition.PartitionId, owner },
            transaction, cancellationToken: cancellationToken));
        if (updated == 0)
            throw new LeaseLostException(partition.PartitionId);
    }

    /// <summary>Records a failed attempt: back to pending after <paramref name="retryDelay"/>, or failed when attempts are used up or the error is permanent.</summary>
    public async Task FailAttemptAsync(ClaimedPartition partition, string owner, string error, TimeSpan retryDelay, bool permanent,
        RunCounts counts, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.partitions p
            SET status = CASE WHEN @permanent OR p.attempts >= r.max_attempts THEN 'failed' ELSE 'pending' END,
                finished_at = CASE WHEN @permanent OR p.attempts >= r.max_attempts THEN clock_timestamp() END,
                next_attempt_at = now() + @retryDelay, last_error = @error, lease_owner = NULL, lease_expires_at = NULL,
                rows_read = @RowsRead, rows_scored = 0, rows_failed = @RowsFailed
            FROM scoring.runs r
            WHERE r.run_id = p.run_id AND p.partition_id = @id AND p.lease_owner = @owner AND p.status = 'running'
            """, new { permanent, retryDelay, error, counts.RowsRead, counts.RowsFailed, id = partition.PartitionId, owner },
            cancellationToken: cancellationToken));
    }

    public async Task MarkCancelledAsync(ClaimedPartition partition, string owner, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.partitions SET status = 'cancelled', last_error = 'cancelled', lease_owner = NULL, lease_expires_at = NULL,
                finished_at = clock_timestamp()
            WHERE partition_id = @id AND lease_owner = @owner AND status = 'running'
            """, new { id = partition.PartitionId, owner }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Ends the run when no partition is pending or running: succeeded when every partition succeeded
    /// (even if a cancellation came too late to stop any), cancelled when cancellation was asked, failed when none succeeded, otherwise partially_failed.
    /// Returns the final status, or null while partitions are open (or when another worker already finished it).
    /// </summary>
    public async Task<string?> FinishRunIfDoneAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            WITH agg AS (
                SELECT count(*) FILTER (WHERE status IN ('pending', 'running')) AS open,
                       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                       count(*) FILTER (WHERE status = 'failed') AS failed,
                       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                       count(*) AS total,
                       coalesce(sum(rows_read), 0) AS rows_read, coalesce(sum(rows_scored), 0) AS rows_scored,
                       coalesce(sum(rows_failed), 0) AS rows_failed,
                       (SELECT format('%s: %s', partition_key, last_error) FROM scoring.partitions
                        WHERE run_id = @runId AND status = 'failed' ORDER BY partition_id LIMIT 1) AS first_error
                FROM scoring.partitions WHERE run_id = @runId
            )
            UPDATE scoring.runs r
            SET status = CASE WHEN agg.failed = 0 AND agg.cancelled = 0 THEN 'succeeded'
                              WHEN r.cancel_requested THEN 'cancelled'
                              WHEN agg.succeeded = 0 THEN 'failed'
                              ELSE 'partially_failed' END,
                rows_read = agg.rows_read, rows_scored = agg.rows_scored, rows_failed = agg.rows_failed,
                finished_at = clock_timestamp(),
                error = CASE WHEN agg.failed > 0 THEN format('%s of %s partitions failed; first: %s', agg.failed, agg.total, agg.first_error)
                             WHEN r.cancel_requested THEN coalesce(r.error, 'cancelled') END
            FROM agg
            WHERE r.run_id = @runId AND r.status = 'running' AND agg.open = 0
            RETURNING r.status
            """, new { runId }, cancellationToken: cancellationToken));
    }

    /// <summary>Asks a run to stop: pending partitions are cancelled now, running ones when their worker next renews its lease.</summary>
    public async Task<bool> RequestCancelAsync(long runId, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE scoring.runs SET cancel_requested = true, error = @reason WHERE run_id = @runId AND status = 'running'",
            new { runId, reason }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.partitions SET status = 'cancelled', last_error = @reason, finished_at = clock_timestamp(),
                lease_owner = NULL, lease_expires_at = NULL
            WHERE run_id = @runId AND (status = 'pending' OR (status = 'running' AND lease_expires_at < now()))
            """, new { runId, reason }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return updated > 0;
    }

    /// <summary>
    /// Reopens a run so that every partition that has not succeeded is scored again: failed and
    /// cancelled ones, and running ones whose lease expired. Returns how many partitions were reopened.
    /// </summary>
    public async Task<int> ReopenAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var reopened = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.partitions
            SET status = 'pending', attempts = 0, next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, finished_at = NULL
            WHERE run_id = @runId
              AND (status IN ('failed', 'cancelled') OR (status = 'running' AND lease_expires_at < now()))
            """, new { runId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scoring.runs SET status = 'running', cancel_requested = false, error = NULL, finished_at = NULL
            WHERE run_id = @runId
              AND (status <> 'running' OR @reopened > 0)
            """, new { runId, reopened }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return reopened;
    }

    public async Task<IReadOnlyList<PartitionRecord>> PartitionsAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<PartitionRecord>(new CommandDefinition(
            $"SELECT {PartitionColumns} FROM scoring.partitions p WHERE p.run_id = @runId ORDER BY p.partition_id",
            new { runId }, cancellationToken: cancellationToken))).ToArray();
    }

    /// <summary>Which partition keys an earlier run of the job already covers, for <c>backfill --reprocess</c>.</summary>
    public async Task<IReadOnlySet<string>> KeysToSkipAsync(string jobName, ReprocessMode mode, CancellationToken cancellationToken)
    {
        if (mode == ReprocessMode.All)
            return new HashSet<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sql = mode == ReprocessMode.Missing
            ? """
              SELECT DISTINCT p.partition_key FROM scoring.partitions p JOIN scoring.runs r ON r.run_id = p.run_id
              WHERE r.job_name = @jobName AND p.status = 'succeeded'
              """
            : """
              SELECT latest.partition_key FROM (
                  SELECT DISTINCT ON (p.partition_key) p.partition_key, p.status
                  FROM scoring.partitions p JOIN scoring.runs r ON r.run_id = p.run_id
                  WHERE r.job_name = @jobName ORDER BY p.partition_key, p.partition_id DESC) latest
              WHERE latest.status NOT IN ('failed', 'cancelled')
              """;
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, new { jobName }, cancellationToken: cancellationToken))).ToHashSet();
    }

    /// <summary>The bounds of every partition of a run.</summary>
    public async Task<IReadOnlyList<PartitionBounds>> BoundsAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClaimRow>(new CommandDefinition(
            """
            SELECT partition_id AS PartitionId, run_id AS RunId, partition_key AS PartitionKey, window_start AS WindowStart, window_end AS WindowEnd,
                   bucket AS Bucket, bucket_count AS BucketCount, source_file AS SourceFile, row_group_start AS RowGroupStart,
                   row_group_end AS RowGroupEnd, attempts AS Attempts, lease_reclaims AS LeaseReclaims, key_from AS KeyFrom, key_to AS KeyTo,
                   timestamp_null AS TimestampIsNull
            FROM scoring.partitions WHERE run_id = @runId ORDER BY partition_id
            """, new { runId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToClaim().Bounds).ToArray();
    }

    private sealed record ClaimRow(long PartitionId, long RunId, string PartitionKey, DateTime? WindowStart, DateTime? WindowEnd,
        int Bucket, int BucketCount, string? SourceFile, int? RowGroupStart, int? RowGroupEnd, int Attempts, int LeaseReclaims,
        long? KeyFrom, long? KeyTo, bool TimestampIsNull)
        // LeaseReclaims: when claiming, 1 if this claim took the partition from a worker whose lease expired.
    {
        public ClaimedPartition ToClaim() => new(PartitionId, RunId, PartitionKey, new PartitionBounds
        {
            WindowStart = WindowStart, WindowEnd = WindowEnd, Bucket = Bucket, BucketCount = BucketCount, KeyFrom = KeyFrom, KeyTo = KeyTo,
            TimestampIsNull = TimestampIsNull, File = SourceFile, RowGroupStart = RowGroupStart, RowGroupEnd = RowGroupEnd,
        }, Attempts, LeaseReclaims > 0);
    }

    /// <summary>Asks runs past their deadline (the job's timeout) to stop.</summary>
    public async Task EnforceDeadlinesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var late = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT run_id FROM scoring.runs WHERE status = 'running' AND NOT cancel_requested AND deadline < now()",
            cancellationToken: cancellationToken));
        foreach (var runId in late)
            await RequestCancelAsync(runId, "the run exceeded the job's timeout", cancellationToken);
    }

    public async Task<bool> IsFinishedAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT status <> 'running' FROM scoring.runs WHERE run_id = @runId", new { runId }, cancellationToken: cancellationToken));
    }

    /// <summary>Running runs none of whose partitions is open any more (their finishing worker died before finishing them).</summary>
    public async Task<IReadOnlyList<long>> RunsWithoutOpenPartitionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            """
            SELECT r.run_id FROM scoring.runs r
            WHERE r.status = 'running' AND r.job_yaml IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM scoring.partitions p WHERE p.run_id = r.run_id AND p.status IN ('pending', 'running'))
            """, cancellationToken: cancellationToken))).ToArray();
    }

    /// <summary>Partitions being scored right now: running under a lease that has not expired.</summary>
    public async Task<IReadOnlySet<long>> LiveRunningPartitionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT partition_id FROM scoring.partitions WHERE status = 'running' AND lease_expires_at > now()",
            cancellationToken: cancellationToken))).ToHashSet();
    }
}
