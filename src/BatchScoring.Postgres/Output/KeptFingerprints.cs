using BatchScoring.Core.Scoring;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// <c>output.skip_unchanged</c>'s cache of stored fingerprints (<c>scoring.kept_fingerprints</c>, migration 025): each
/// partition's commit keeps the keys and input fingerprints it leaves in the output table as one value, and the next
/// run of the same partition reads that one value instead of a row per key (the table's own rows cost 2–3 × as much
/// server time to export; docs/BENCHMARKS.md). It is trusted only while the output table's generation is the one it
/// was written at: a statement trigger on the table counts the generation up on every UPDATE, DELETE or TRUNCATE not
/// made by such a commit (an admin's DELETE, another job's merge), and a commit also drops what other partitions kept
/// for keys it overlaps. Without the trigger (a role that may not create it), partitions read the table's rows.
/// </summary>
public static class KeptFingerprints
{
    /// <summary>Rows a partition may have and still keep its fingerprints: 16 bytes each, 32 MiB at most.</summary>
    public const int RowLimit = 2_000_000;

    public const string TriggerName = "batchscoring_forget_kept_fingerprints";

    /// <summary>
    /// Gives the table its trigger and generation, unless they exist; false when this role may not create a trigger on
    /// the table (it is not the owner), and partitions then read the table's own rows.
    /// </summary>
    public static Task<bool> AttachAsync(NpgsqlDataSource dataSource, OutputTableSchema schema, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var table = new { table = schema.Table.Quoted, name = TriggerName };
        var attached = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = to_regclass(@table) AND tgname = @name)", table, cancellationToken: cancellationToken));
        if (!attached)
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"CREATE TRIGGER {TriggerName} AFTER UPDATE OR DELETE OR TRUNCATE ON {schema.Table.Quoted} FOR EACH STATEMENT EXECUTE FUNCTION scoring.forget_kept_fingerprints()",
                    cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                return false;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateObject)
            {
                // Another worker attached it at the same moment.
            }
        }
        // A trigger created now may have been missing while the table changed: what was kept before no longer counts.
        // Nor does what was kept for tables since dropped (a table created again has another oid).
        await connection.ExecuteAsync(new CommandDefinition(
            attached
                ? "INSERT INTO scoring.kept_fingerprint_generations (output_table) VALUES (to_regclass(@table)::oid) ON CONFLICT DO NOTHING"
                : """
                  DELETE FROM scoring.kept_fingerprints k
                  WHERE k.output_table = to_regclass(@table)::oid OR NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = k.output_table);
                  DELETE FROM scoring.kept_fingerprint_generations g WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = g.output_table);
                  INSERT INTO scoring.kept_fingerprint_generations AS g (output_table) VALUES (to_regclass(@table)::oid)
                  ON CONFLICT (output_table) DO UPDATE SET generation = g.generation + 1;
                  """, table, cancellationToken: cancellationToken));
        return true;
    });

    /// <summary>The table's generation now, and the pairs kept for exactly this partition at that generation, if any.</summary>
    internal static async Task<(long Generation, KeptPairs? Kept)> ReadAsync(NpgsqlConnection connection, OutputTableSchema schema, string jobName,
        PartitionBounds bounds, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long Generation, byte[]? Pairs, long? Transaction, long? Identity)>(new CommandDefinition($"""
            SELECT g.generation, k.pairs, k.source_transaction, k.source_identity
            FROM scoring.kept_fingerprint_generations g
            LEFT JOIN scoring.kept_fingerprints k ON k.generation = g.generation AND {ThisPartition}
            WHERE g.output_table = to_regclass(@table)::oid
            LIMIT 1
            """, Parameters(schema, jobName, bounds), cancellationToken: cancellationToken));
        var mark = row is { Transaction: { } transaction, Identity: { } identity } ? new ReadMark(transaction, identity) : null;
        return (row.Generation, row.Pairs is { } pairs ? new KeptPairs(pairs, mark) : null);
    }

    /// <summary>First in a keeping partition's transaction: its own changes to the table do not count up the generation.</summary>
    internal static Task MarkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        => connection.ExecuteAsync(new CommandDefinition("SET LOCAL batchscoring.keeps_fingerprints = on", transaction: transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// Last in the partition's transaction: drops what was kept for any key range this partition overlaps and keeps its
    /// own pairs, unless the table changed since its stored rows were read (a generation other than the one seen) or
    /// the pairs could not be kept. The generation's row lock orders this against a concurrent change of the table.
    /// When the partition read its kept pairs and changed no row, they stay as they are, with this read's mark.
    /// </summary>
    internal static async Task ReplaceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OutputTableSchema schema, SinkPartition partition,
        FingerprintKeeping keeping, bool changedRows, CancellationToken cancellationToken)
    {
        var parameters = Parameters(schema, partition.JobName, partition.Bounds);
        var generation = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT generation FROM scoring.kept_fingerprint_generations WHERE output_table = to_regclass(@table)::oid FOR UPDATE",
            parameters, transaction, cancellationToken: cancellationToken));
        var current = generation is { } g && (keeping.GenerationSeen ?? g) == g;
        if (current && keeping.Kept is { } kept && !changedRows)
        {
            // The pairs stay; the mark moves on, so that the next run reads only what changed after this read.
            if (keeping.Mark != kept.Mark)
                await connection.ExecuteAsync(new CommandDefinition($"""
                    UPDATE scoring.kept_fingerprints k SET source_transaction = @transaction, source_identity = @identity
                    WHERE {ThisPartition} AND k.generation = @generation
                    """, WithMark(parameters, keeping.Mark, generation), transaction, cancellationToken: cancellationToken));
            return;
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM scoring.kept_fingerprints
            WHERE output_table = to_regclass(@table)::oid AND int8range(key_from, key_to) && int8range(@from::bigint, @to::bigint)
            """, parameters, transaction, cancellationToken: cancellationToken));
        if (!current || FingerprintPairs.Encode(keeping.Unchanged, keeping.Written) is not { } pairs)
            return;
        parameters.Add("rows", pairs.Length / FingerprintPairs.PairSize);
        parameters.Add("pairs", pairs);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO scoring.kept_fingerprints (output_table, generation, job_name, window_start, key_from, key_to, row_count, pairs, source_transaction, source_identity)
            VALUES (to_regclass(@table)::oid, @generation, @job, @window::timestamptz, @from::bigint, @to::bigint, @rows, @pairs, @transaction, @identity)
            """, WithMark(parameters, keeping.Mark, generation), transaction, cancellationToken: cancellationToken));
    }

    private const string ThisPartition = """
        k.output_table = to_regclass(@table)::oid AND k.job_name = @job AND k.window_start IS NOT DISTINCT FROM @window::timestamptz
        AND k.key_from IS NOT DISTINCT FROM @from::bigint AND k.key_to IS NOT DISTINCT FROM @to::bigint
        """;

    private static DynamicParameters WithMark(DynamicParameters parameters, ReadMark? mark, long? generation)
    {
        parameters.Add("generation", generation);
        parameters.Add("transaction", mark?.Transaction);
        parameters.Add("identity", mark?.Identity);
        return parameters;
    }

    private static DynamicParameters Parameters(OutputTableSchema schema, string jobName, PartitionBounds bounds)
    {
        var parameters = new DynamicParameters();
        parameters.Add("table", schema.Table.Quoted);
        parameters.Add("job", jobName);
        parameters.Add("window", bounds.WindowStart is { } start ? DateTime.SpecifyKind(start, DateTimeKind.Utc) : null);
        parameters.Add("from", bounds.KeyFrom);
        parameters.Add("to", bounds.KeyTo);
        return parameters;
    }
}
