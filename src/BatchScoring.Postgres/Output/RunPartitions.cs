using System.Collections.Concurrent;
using System.Globalization;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Sql;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// The partitions of an output table partitioned by run (<c>output.replace: run</c>), one per run, named
/// <see cref="OutputTableSchema.RunPartition"/>. A run's partition is created as a table of its own before its first
/// partition writes, with the table's columns and indexes and a <c>CHECK (run_id = …)</c>, and it is attached only when
/// the run succeeds, in the transaction that detaches the partitions of the job's earlier runs (attaching scans
/// nothing: the check implies the partition bound). Readers of the table see one run, before and after, never part of
/// one. The detached partitions are kept until the next run succeeds, so that <see cref="RollBackAsync"/> can attach them
/// again. Every change takes the table's advisory lock.
/// </summary>
public sealed class RunPartitions(NpgsqlDataSource dataSource)
{
    /// <summary>How long a detach waits for readers of the table before giving up (the next succeeded run tries again).</summary>
    private const string LockTimeout = "10s";

    private const string Suffix = "_r";

    /// <summary>The longest name a table partitioned by run may have: its partitions append <c>_r</c> and a run id (up to 19 digits).</summary>
    public const int MaxTableName = 63 - 2 - 19;

    private readonly ConcurrentDictionary<string, Lazy<Task>> _ensured = new(StringComparer.Ordinal);

    /// <summary>The partition of <paramref name="table"/> that holds the rows of <paramref name="runId"/>: <c>&lt;table&gt;_r&lt;run id&gt;</c>, in the table's schema.</summary>
    public static SqlIdentifier Name(SqlIdentifier table, long runId) => SqlIdentifier.Parse(
        (table.Schema is null ? "" : table.Schema + ".") + table.Name + Suffix + runId.ToString(CultureInfo.InvariantCulture), "run partition name");

    /// <summary>The run whose partition of <paramref name="table"/> the relation <paramref name="name"/> is, or null for a relation that is not one.</summary>
    private static long? RunOf(SqlIdentifier table, string name)
        => name.Length > table.Name.Length + Suffix.Length && name.StartsWith(table.Name + Suffix, StringComparison.Ordinal)
           && long.TryParse(name.AsSpan(table.Name.Length + Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var run)
            ? run : null;

    /// <summary>Creates the run's partition unless it is there; once per run and process.</summary>
    public async Task EnsureAsync(SqlIdentifier table, long runId, CancellationToken cancellationToken)
    {
        var name = Name(table, runId).Quoted;
        var ensured = _ensured.GetOrAdd(name, _ => new Lazy<Task>(() => CreateAsync(table, runId)));
        try
        {
            await ensured.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _ensured.TryRemove(name, out _);
            throw;
        }
        if (_ensured.Count > 1_000)
            _ensured.Clear();
    }

    /// <summary>Returns whether the partition had to be created.</summary>
    private Task<bool> CreateAsync(SqlIdentifier table, long runId) => WithLockAsync(table, async (connection, transaction) =>
    {
        var partitions = await ListAsync(connection, transaction, table, CancellationToken.None);
        if (partitions.Any(p => p.RunId == runId))
            return false;
        var partition = Name(table, runId).Quoted;
        await connection.ExecuteAsync(new CommandDefinition(
            $"CREATE TABLE {partition} (LIKE {table.Quoted} INCLUDING DEFAULTS INCLUDING INDEXES, CONSTRAINT run_bound CHECK (run_id = {runId}));\n"
            + $"COMMENT ON TABLE {partition} IS 'The rows of run {runId} in {table} (output.replace: run), attached to {table} when the run succeeds; read them through {table} or {table}_latest';",
            transaction: transaction));
        return true;
    }, CancellationToken.None);

    /// <summary>
    /// After run <paramref name="runId"/> of <paramref name="jobName"/> succeeded, in one transaction: drops the partitions
    /// of the job's earlier runs that are not attached (kept by an earlier supersede, or of runs that never succeeded),
    /// detaches the attached ones (kept for <see cref="RollBackAsync"/>) and attaches the run's. When readers hold the
    /// table past the lock timeout, the run's partition is attached alone, which readers do not wait for: the table
    /// then holds the earlier runs too (its <c>_latest</c> view shows the newest row per key) until the next run
    /// succeeds. Returns the runs detached, or null when they could not be.
    /// </summary>
    public async Task<IReadOnlyList<long>?> SupersedeAsync(SqlIdentifier table, string jobName, long runId, CancellationToken cancellationToken)
    {
        try
        {
            return await WithLockAsync<IReadOnlyList<long>?>(table, async (connection, transaction) =>
            {
                var partitions = await JobPartitionsAsync(connection, transaction, table, jobName, cancellationToken);
                var earlier = partitions.Where(p => p.RunId < runId).ToArray();
                var sql = earlier.Where(p => !p.Attached).Select(p => $"DROP TABLE {Name(table, p.RunId).Quoted};")
                    .Concat(earlier.Where(p => p.Attached).Select(p => $"ALTER TABLE {table.Quoted} DETACH PARTITION {Name(table, p.RunId).Quoted};"))
                    .Concat(partitions.Where(p => p.RunId == runId && !p.Attached).Select(_ => AttachSql(table, runId)))
                    .ToArray();
                if (sql.Length > 0)
                    await connection.ExecuteAsync(new CommandDefinition(string.Join("\n", sql), transaction: transaction, cancellationToken: cancellationToken));
                return earlier.Where(p => p.Attached).Select(p => p.RunId).ToArray();
            }, cancellationToken);
        }
        catch (DatabaseUnavailableException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable })
        {
            await WithLockAsync(table, async (connection, transaction) =>
            {
                var partitions = await ListAsync(connection, transaction, table, cancellationToken);
                if (partitions.Any(p => p.RunId == runId && !p.Attached))
                    await connection.ExecuteAsync(new CommandDefinition(AttachSql(table, runId), transaction: transaction, cancellationToken: cancellationToken));
                return true;
            }, cancellationToken);
            return null;
        }
    }

    private static string AttachSql(SqlIdentifier table, long runId)
        => $"ALTER TABLE {table.Quoted} ATTACH PARTITION {Name(table, runId).Quoted} FOR VALUES IN ({runId});";

    /// <summary>
    /// Rolls back run <paramref name="runId"/>, the job's newest run in the table: drops its partition and attaches again
    /// the partitions its success detached (none when it did not replace any: it did not succeed, or its detach timed
    /// out), in one transaction; readers see the table as it was before the run.
    /// Returns the runs attached again.
    /// </summary>
    public Task<IReadOnlyList<long>> RollBackAsync(SqlIdentifier table, string jobName, long runId, CancellationToken cancellationToken)
        => WithLockAsync<IReadOnlyList<long>>(table, async (connection, transaction) =>
        {
            var partitions = await JobPartitionsAsync(connection, transaction, table, jobName, cancellationToken);
            if (partitions.FirstOrDefault(p => p.RunId == runId) is not { } rolledBack)
                throw new BatchScoringException($"Run {runId} has no rows in {table} to roll back: its partition {Name(table, runId)} is not there (rolled back already, or superseded and dropped).");
            // A newer run that was never attached (it failed, or was cancelled) shows nothing to readers, so it does not count.
            if (partitions.FirstOrDefault(p => p.RunId > runId && p.Attached) is { } newer)
                throw new BatchScoringException(
                    $"Run {runId} is not the newest run of job '{jobName}' in {table}: run {newer.RunId} came after it. Roll back run {partitions.Where(p => p.Attached).Max(p => p.RunId)} first.");
            // The kept partitions are the ones this run detached, unless it was never attached (it did not succeed) or an
            // earlier run is still attached (its detach timed out): then it replaced nothing, and readers saw the attached runs.
            var restored = !rolledBack.Attached || partitions.Any(p => p.RunId < runId && p.Attached)
                ? []
                : partitions.Where(p => p.RunId < runId && !p.Attached).Select(p => p.RunId).ToArray();
            var sql = restored.Select(r => $"ALTER TABLE {table.Quoted} ATTACH PARTITION {Name(table, r).Quoted} FOR VALUES IN ({r});")
                .Append($"DROP TABLE {Name(table, runId).Quoted};")
                .Append("UPDATE scoring.runs SET rolled_back_at = clock_timestamp() WHERE run_id = @runId;");
            await connection.ExecuteAsync(new CommandDefinition(string.Join("\n", sql), new { runId }, transaction, cancellationToken: cancellationToken));
            return restored;
        }, cancellationToken);

    private Task<T> WithLockAsync<T>(SqlIdentifier table, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
        => DatabaseCalls.RunAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                $"SET LOCAL lock_timeout = '{LockTimeout}'; SELECT pg_advisory_xact_lock(hashtext(@name))",
                new { name = "output:" + table }, transaction, cancellationToken: cancellationToken));
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        });

    /// <summary>The run partitions of the table written by runs of <paramref name="jobName"/>, oldest first.</summary>
    private static async Task<IReadOnlyList<RunPartition>> JobPartitionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, SqlIdentifier table, string jobName, CancellationToken cancellationToken)
    {
        var partitions = await ListAsync(connection, transaction, table, cancellationToken);
        var ofJob = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT run_id FROM scoring.runs WHERE job_name = @jobName AND run_id = ANY(@runs)",
            new { jobName, runs = partitions.Select(p => p.RunId).ToArray() }, transaction, cancellationToken: cancellationToken))).ToHashSet();
        return partitions.Where(p => ofJob.Contains(p.RunId)).ToArray();
    }

    /// <summary>Every run partition of the table, attached or not, found by name in the table's schema.</summary>
    private static async Task<IReadOnlyList<RunPartition>> ListAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, SqlIdentifier table, CancellationToken cancellationToken)
    {
        var relations = await connection.QueryAsync<(string Name, bool Attached)>(new CommandDefinition(
            """
            SELECT c.relname, EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = t.oid)
            FROM pg_class t JOIN pg_class c ON c.relnamespace = t.relnamespace AND c.relkind = 'r' AND starts_with(c.relname, t.relname || '_r')
            WHERE t.oid = to_regclass(@table)
            """, new { table = table.Quoted }, transaction, cancellationToken: cancellationToken));
        return relations
            .Select(r => RunOf(table, r.Name) is { } run ? new RunPartition(run, r.Attached) : null)
            .OfType<RunPartition>()
            .OrderBy(p => p.RunId)
            .ToArray();
    }

    private sealed record RunPartition(long RunId, bool Attached);
}
