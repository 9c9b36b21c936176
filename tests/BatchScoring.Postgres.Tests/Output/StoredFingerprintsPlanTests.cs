using System.Text.Json;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Output;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests.Output;

/// <summary>
/// The stored fingerprints of a partition are read along the primary key in key order, also from a table written a
/// moment ago that autovacuum has not analyzed yet: without statistics the planner chose a scan of the whole table
/// and a sort for an open-ended key range.
/// </summary>
public class StoredFingerprintsPlanTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Theory]
    [InlineData(null, 50_000L)]
    [InlineData(150_000L, null)]
    [InlineData(50_000L, 150_000L)]
    public async Task A_partition_of_a_table_without_statistics_is_read_by_an_index_scan_of_its_key_range(long? from, long? to)
    {
        var schema = new OutputTableSchema(SqlIdentifier.Parse("scored.fingerprint_plan"), OutputMode.Upsert,
            [new ColumnSchema("customer_id", ColumnKind.Int64)], [], [new ColumnSchema("probability", ColumnKind.Float32)]);
        await schema.EnsureAsync(database.DataSource, CancellationToken.None);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            ALTER TABLE scored.fingerprint_plan SET (autovacuum_enabled = off);
            INSERT INTO scored.fingerprint_plan (customer_id, probability, model_version, run_id, partition_id, scored_at, job_name, input_fingerprint)
            SELECT k, 0.5, 'm@1', 1, 1, now(), 'job', k * 7 FROM generate_series(1, 200000) k
            ON CONFLICT DO NOTHING;
            """);
        await connection.ExecuteAsync(StoredFingerprints.SessionSql.Replace("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; ", "", StringComparison.Ordinal));

        var copy = StoredFingerprints.Sql(schema, withScores: false, "job", PartitionBounds.Everything with { KeyFrom = from, KeyTo = to });
        var select = copy["COPY (".Length..copy.LastIndexOf(") TO STDOUT", StringComparison.Ordinal)];
        using var plan = JsonDocument.Parse(await connection.ExecuteScalarAsync<string>("EXPLAIN (FORMAT JSON) " + select) ?? "[]");

        var root = plan.RootElement[0].GetProperty("Plan");
        Assert.Equal("Index Scan", root.GetProperty("Node Type").GetString());
        Assert.Equal("fingerprint_plan_pkey", root.GetProperty("Index Name").GetString());
    }
}
