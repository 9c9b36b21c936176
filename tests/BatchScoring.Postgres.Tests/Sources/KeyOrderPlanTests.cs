using System.Text.Json;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Sources;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests.Sources;

/// <summary>
/// A <c>skip_unchanged</c> partition reads its source in key order. The first key range also asks for the null keys,
/// and that <c>OR key IS NULL</c> makes PostgreSQL scan a bitmap and sort the whole range before the first row leaves;
/// a table whose key is declared NOT NULL is read along its primary key instead.
/// </summary>
public class KeyOrderPlanTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Theory]
    [InlineData("order_pk", "PRIMARY KEY", "Index Scan", false)]
    [InlineData("order_nullable", "UNIQUE", "Sort", true)]
    public async Task The_first_key_range_is_read_along_the_key_unless_the_key_may_be_null(string table, string constraint, string root, bool asksForNullKeys)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"""
            CREATE TABLE public.{table} (customer_id bigint {constraint}, tenure integer);
            INSERT INTO public.{table} SELECT k, k % 70 FROM generate_series(1, 100000) k ORDER BY random();
            ANALYZE public.{table};
            """);
        var source = PostgresRelationSource.ForTable(database.DataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse($"public.{table}"), ["customer_id"]));
        var columns = new[] { new ColumnSchema("customer_id", ColumnKind.Int64), new ColumnSchema("tenure", ColumnKind.Int32) };
        var first = PartitionBounds.Everything with { KeyRange = 0, KeyRanges = 4, KeyTo = 25_001, InKeyOrder = true };

        await using var session = await ReadOnlySession.OpenAsync(database.DataSource, SourceLimits.Default, CancellationToken.None);
        var select = await source.SelectAsync(session, columns, first, CancellationToken.None);
        using var plan = JsonDocument.Parse(await connection.ExecuteScalarAsync<string>("EXPLAIN (FORMAT JSON) " + select) ?? "[]");

        Assert.Equal(asksForNullKeys, select.Contains("IS NULL", StringComparison.Ordinal));
        Assert.Equal(root, plan.RootElement[0].GetProperty("Plan").GetProperty("Node Type").GetString());
    }

    [Fact]
    public async Task A_query_source_still_reads_the_null_keys_of_the_first_range()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE public.order_joined (customer_id bigint PRIMARY KEY);
            CREATE TABLE public.order_extra (customer_id bigint);
            INSERT INTO public.order_joined SELECT generate_series(1, 10);
            INSERT INTO public.order_extra VALUES (NULL), (3);
            """);
        // The key column is the NOT NULL one of order_joined, yet the outer join gives a null key a row.
        var source = PostgresRelationSource.ForQuery(database.DataSource, new PostgresQuerySourceSpec(
            "SELECT j.customer_id FROM public.order_extra e LEFT JOIN public.order_joined j USING (customer_id)", ["customer_id"]));
        var columns = new[] { new ColumnSchema("customer_id", ColumnKind.Int64) };
        var first = PartitionBounds.Everything with { KeyRange = 0, KeyRanges = 2, KeyTo = 6, InKeyOrder = true };

        var keys = new List<long?>();
        await foreach (var batch in source.ReadAsync(columns, first, 100, CancellationToken.None))
            for (var row = 0; row < batch.Count; row++)
                keys.Add(batch["customer_id"].IsNull(row) ? null : batch.Column<long>("customer_id").Values[row]);

        Assert.Equal([3L, null], keys);
    }
}
