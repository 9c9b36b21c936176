using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Sources;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests.Sources;

/// <summary>
/// Planning a table without time slices takes its rows from PostgreSQL's estimate once the table was analyzed, rather
/// than counting them on every run; before that, and for a query, the rows are counted.
/// </summary>
public class RowEstimateTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task An_analyzed_table_is_planned_from_its_estimate_without_a_count()
    {
        await using var connection = await CreateAsync("public.estimated");
        // The delete leaves the pages as they were, and so the estimate.
        await connection.ExecuteAsync("ANALYZE public.estimated; DELETE FROM public.estimated WHERE customer_id > 600");
        var plan = await PlanAsync(Table("public.estimated"));

        Assert.Equal(1000, plan.Sum(p => p.EstimatedRows ?? 0));
        Assert.Equal([(null, 151L), (151L, 301L), (301L, 451L), (451L, null)], plan.Select(p => (p.Bounds.KeyFrom, p.Bounds.KeyTo)));
    }

    [Fact]
    public async Task A_table_never_analyzed_and_a_query_are_counted()
    {
        await using var connection = await CreateAsync("public.counted");

        Assert.Equal(1000, (await PlanAsync(Table("public.counted"))).Sum(p => p.EstimatedRows ?? 0));
        await connection.ExecuteAsync("ANALYZE public.counted; DELETE FROM public.counted WHERE customer_id > 600");
        var query = PostgresRelationSource.ForQuery(database.DataSource, new PostgresQuerySourceSpec("SELECT * FROM public.counted", ["customer_id"]));
        Assert.Equal(600, (await PlanAsync(query)).Sum(p => p.EstimatedRows ?? 0));
    }

    /// <summary>A table of 1,000 keys; autovacuum off, so that nothing but the test updates its statistics.</summary>
    private async Task<Npgsql.NpgsqlConnection> CreateAsync(string name)
    {
        var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"""
            CREATE TABLE {name} (customer_id bigint PRIMARY KEY, tenure integer) WITH (autovacuum_enabled = off);
            INSERT INTO {name} SELECT k, k % 70 FROM generate_series(1, 1000) k;
            """);
        return connection;
    }

    private PostgresRelationSource Table(string name)
        => PostgresRelationSource.ForTable(database.DataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse(name), ["customer_id"]));

    private static Task<IReadOnlyList<Core.Scoring.PlannedPartition>> PlanAsync(PostgresRelationSource source)
        => source.PlanAsync(null, new PartitioningSpec(null, 4), CancellationToken.None);
}
