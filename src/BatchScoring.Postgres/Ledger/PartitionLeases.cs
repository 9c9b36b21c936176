using BatchScoring.Core.Runs;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Ledger;

/// <summary>
/// Partition leases: claiming partitions with <c>FOR UPDATE SKIP LOCKED</c> under a lease, renewing
/// leases, and ending attempts (succeeded inside the partition's commit, failed, or cancelled). Every
/// worker of every process goes through here, so the database, not any one process, decides who scores what.
/// </summary>
public sealed class PartitionLeases(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Claims one runnable partition — pending and due, or running with an expired lease (its worker
    /// died) — of <paramref name="runId"/>, or of any running run when null. Partitions whose worker
    /// died on their last allowed attempt are failed first.
    /// </summary>
    public Task<ClaimedPartition?> ClaimAsync(string owner, TimeSpan lease, long? runId, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<ClaimedPartition?>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE scoring.partitions p
            SET status = CASE WHEN r.cancel_requested THEN '{PartitionStatus.Cancelled}' ELSE '{PartitionStatus.Failed}' END,
                last_error = CASE WHEN r.cancel_requested THEN {LedgerSql.CancelledError}
                                  ELSE format('the worker %s stopped renewing its lease on attempt %s (process died?)', p.lease_owner, p.attempts) END,
                lease_owner = NULL, lease_expires_at = NULL, finished_at = clock_timestamp()
            FROM scoring.runs r
            WHERE r.run_id = p.run_id AND p.status = '{PartitionStatus.Running}' AND p.lease_expires_at < now()
              AND (p.attempts >= r.max_attempts OR r.cancel_requested)
              AND (@runId::bigint IS NULL OR p.run_id = @runId)
            """, new { runId }, cancellationToken: cancellationToken));

        var row = await connection.QuerySingleOrDefaultAsync<PartitionRow>(new CommandDefinition(
            $"""
            WITH candidate AS (
                SELECT p.partition_id, p.status AS previous_status
                FROM scoring.partitions p
                JOIN scoring.runs r ON r.run_id = p.run_id
                WHERE r.status = '{RunStatus.Running}' AND NOT r.cancel_requested
                  AND (@runId::bigint IS NULL OR p.run_id = @runId)
                  AND ((p.status = '{PartitionStatus.Pending}' AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= now()))
                       OR (p.status = '{PartitionStatus.Running}' AND p.lease_expires_at < now()))
                  AND (r.max_concurrency = 0 OR r.max_concurrency > (
                        SELECT count(*) FROM scoring.partitions q
                        WHERE q.run_id = p.run_id AND q.status = '{PartitionStatus.Running}' AND q.lease_expires_at >= now()))
                ORDER BY p.run_id, p.partition_id
                LIMIT 1
                FOR UPDATE OF p SKIP LOCKED
            )
            UPDATE scoring.partitions p
            SET lease_reclaims = p.lease_reclaims + CASE WHEN p.status = '{PartitionStatus.Running}' THEN 1 ELSE 0 END,
                status = '{PartitionStatus.Running}', attempts = p.attempts + 1, lease_owner = @owner,
                lease_expires_at = now() + @lease, started_at = clock_timestamp(), finished_at = NULL
            FROM candidate
            WHERE p.partition_id = candidate.partition_id
            RETURNING p.partition_id AS PartitionId, p.run_id AS RunId, p.partition_key AS PartitionKey,
                      p.window_start AS WindowStart, p.window_end AS WindowEnd, p.bucket AS Bucket, p.bucket_count AS BucketCount,
                      p.source_file AS SourceFile, p.row_group_start AS RowGroupStart, p.row_group_end AS RowGroupEnd,
                      p.attempts AS Attempts, (candidate.previous_status = '{PartitionStatus.Running}')::int AS LeaseReclaims,
                      p.key_from AS KeyFrom, p.key_to AS KeyTo, p.timestamp_null AS TimestampIsNull
            """, new { runId, owner, lease }, cancellationToken: cancellationToken));
        return row?.ToClaim();
    });

    /// <summary>Renews the leases this owner holds; partitions missing from the answer were lost and must be abandoned.</summary>
    public Task<IReadOnlyList<LeaseState>> RenewAsync(string owner, IReadOnlyCollection<long> partitionIds, TimeSpan lease, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlyList<LeaseState>>(async () =>
    {
        if (partitionIds.Count == 0)
            return [];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<LeaseState>(new CommandDefinition(
            $"""
            UPDATE scoring.partitions p SET lease_expires_at = now() + @lease
            FROM scoring.runs r
            WHERE r.run_id = p.run_id AND p.partition_id = ANY(@ids) AND p.lease_owner = @owner AND p.status = '{PartitionStatus.Running}'
            RETURNING p.partition_id AS PartitionId, r.cancel_requested AS CancelRequested
            """, new { ids = partitionIds.ToArray(), owner, lease }, cancellationToken: cancellationToken));
        return rows.ToArray();
    });

    /// <summary>
    /// Marks the partition succeeded inside its <see cref="Commit.PartitionCommit"/>. Fails with
    /// <see cref="LeaseLostException"/> when another worker took the lease, so that only one commit wins.
    /// </summary>
    internal static async Task CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ClaimedPartition partition,
        string owner, RunCounts counts, string? driftSketchJson, string? shadowAgreementJson, CancellationToken cancellationToken)
    {
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE scoring.partitions
            SET status = '{PartitionStatus.Succeeded}', rows_read = @RowsRead, rows_scored = @RowsScored, rows_failed = @RowsFailed, rows_unchanged = @RowsUnchanged,
                finished_at = clock_timestamp(), lease_owner = NULL, lease_expires_at = NULL, last_error = NULL,
                completed_by = @owner, drift_sketch = @sketch::jsonb, shadow_agreement = @agreement::jsonb
            WHERE partition_id = @id AND lease_owner = @owner AND status = '{PartitionStatus.Running}'
            """, new { counts.RowsRead, counts.RowsScored, counts.RowsFailed, counts.RowsUnchanged, sketch = driftSketchJson, agreement = shadowAgreementJson, id = partition.PartitionId, owner },
            transaction, cancellationToken: cancellationToken));
        if (updated == 0)
            throw new LeaseLostException(partition.PartitionId);
    }

    /// <summary>Records a failed attempt: back to pending after <paramref name="retryDelay"/>, or failed when attempts are used up or the error is permanent.</summary>
    public Task FailAttemptAsync(ClaimedPartition partition, string owner, string error, TimeSpan retryDelay, bool permanent,
        RunCounts counts, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE scoring.partitions p
            SET status = CASE WHEN @permanent OR p.attempts >= r.max_attempts THEN '{PartitionStatus.Failed}' ELSE '{PartitionStatus.Pending}' END,
                finished_at = CASE WHEN @permanent OR p.attempts >= r.max_attempts THEN clock_timestamp() END,
                next_attempt_at = now() + @retryDelay, last_error = @error, lease_owner = NULL, lease_expires_at = NULL,
                rows_read = @RowsRead, rows_scored = 0, rows_failed = @RowsFailed, rows_unchanged = 0
            FROM scoring.runs r
            WHERE r.run_id = p.run_id AND p.partition_id = @id AND p.lease_owner = @owner AND p.status = '{PartitionStatus.Running}'
            """, new { permanent, retryDelay, error, counts.RowsRead, counts.RowsFailed, id = partition.PartitionId, owner },
            cancellationToken: cancellationToken));
    });

    /// <summary>
    /// Hands a partition back from a stopping process, rolled back and claimable at once: its lease is cleared rather
    /// than left to expire, and the attempt is not counted (the partition did not fail).
    /// </summary>
    public Task ReleaseAsync(ClaimedPartition partition, string owner, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE scoring.partitions
            SET status = '{PartitionStatus.Pending}', attempts = greatest(attempts - 1, 0), next_attempt_at = now(),
                lease_owner = NULL, lease_expires_at = NULL, rows_read = 0, rows_scored = 0, rows_failed = 0, rows_unchanged = 0
            WHERE partition_id = @id AND lease_owner = @owner AND status = '{PartitionStatus.Running}'
            """, new { id = partition.PartitionId, owner }, cancellationToken: cancellationToken));
    });

    public Task MarkCancelledAsync(ClaimedPartition partition, string owner, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE scoring.partitions SET status = '{PartitionStatus.Cancelled}', last_error = {LedgerSql.CancelledError}, lease_owner = NULL, lease_expires_at = NULL,
                finished_at = clock_timestamp()
            WHERE partition_id = @id AND lease_owner = @owner AND status = '{PartitionStatus.Running}'
            """, new { id = partition.PartitionId, owner }, cancellationToken: cancellationToken));
    });

    /// <summary>Partitions being scored right now: running under a lease that has not expired.</summary>
    public Task<IReadOnlySet<long>> LiveRunningPartitionsAsync(CancellationToken cancellationToken) => DatabaseCalls.RunAsync<IReadOnlySet<long>>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT partition_id FROM scoring.partitions WHERE status = '{PartitionStatus.Running}' AND lease_expires_at > now()",
            cancellationToken: cancellationToken))).ToHashSet();
    });
}
