using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Planning;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Sources;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests;

public class PostgresRelationSourceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Copies_rows_in_and_streams_them_back_in_batches_exactly()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE customers ({SyntheticChurnData.TableDefinition})");
        var written = SyntheticChurnData.Generate(5_000, seed: 11, batchSize: 1_500).ToList();
        Assert.Equal(5_000ul, await BinaryCopyWriter.CopyAsync(connection, "customers", written.ToAsyncEnumerable(), CancellationToken.None));
        await connection.ExecuteAsync("UPDATE customers SET monthly_charges = NULL, contract = NULL WHERE customer_id % 10 = 0");

        var source = PostgresRelationSource.ForTable(database.DataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse("customers"), ["customer_id"], "event_time"));
        var schema = await source.DescribeAsync(CancellationToken.None);
        Assert.Equal(SyntheticChurnData.Schema.Select(c => (c.Name, c.Kind)), schema.Select(c => (c.Name, c.Kind)));

        var batches = new List<RowBatch>();
        await foreach (var batch in source.ReadAsync(schema, PartitionBounds.Everything, 2_048, CancellationToken.None))
            batches.Add(batch);
        Assert.Equal([2_048, 2_048, 904], batches.Select(b => b.Count));

        var read = RowBatch.Concat(schema, batches);
        var expected = RowBatch.Concat(SyntheticChurnData.Schema, written);
        var order = Enumerable.Range(0, read.Count).OrderBy(i => read.Column<long>("customer_id").Values[i]).ToArray();
        for (var k = 0; k < order.Length; k++)
        {
            var i = order[k];
            var key = read.Column<long>("customer_id").Values[i];
            Assert.Equal(k + 1, key);
            Assert.Equal(expected.Column<DateTime>("event_time").Values[k], read.Column<DateTime>("event_time").Values[i]);
            Assert.Equal(DateTimeKind.Utc, read.Column<DateTime>("event_time").Values[i].Kind);
            Assert.Equal(expected.Column<decimal>("total_charges").Values[k], read.Column<decimal>("total_charges").Values[i]);
            Assert.Equal(expected.Column<float>("avg_session_minutes").Values[k], read.Column<float>("avg_session_minutes").Values[i]);
            Assert.Equal(key % 10 == 0, read["monthly_charges"].IsNull(i));
            Assert.Equal(key % 10 == 0, read["contract"].IsNull(i));
            if (key % 10 != 0)
                Assert.Equal(expected.Column<string>("contract").Values[k], read.Column<string>("contract").Values[i]);
        }
    }

    [Fact]
    public async Task A_missing_table_is_a_clear_error()
    {
        var source = PostgresRelationSource.ForTable(database.DataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse("nowhere.customers"), ["id"]));
        var e = await Assert.ThrowsAsync<BatchScoringException>(() => source.DescribeAsync(CancellationToken.None));
        Assert.Contains("nowhere.customers", e.Message);
    }
}

public class PostgresPartitionPlanningTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Theory]
    [InlineData(null, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.0, 4)]
    [InlineData(7.0, 3)]
    public async Task Partitions_cover_every_row_exactly_once(double? grainDays, int buckets)
    {
        var source = await SourceAsync();
        var grain = grainDays is { } d ? TimeSpan.FromDays(d) : (TimeSpan?)null;
        var plan = await source.PlanAsync(null, new PartitioningSpec(grain, buckets), CancellationToken.None);
        Assert.Equal(plan.Count, plan.Select(p => p.Bounds.Key).Distinct().Count());
        Assert.Equal(3_000, plan.Sum(p => p.EstimatedRows ?? 0), 3_000 * 0.02 + buckets * plan.Count);

        var keys = new List<long>();
        var columns = (await source.DescribeAsync(CancellationToken.None)).Where(c => c.Name == "customer_id").ToArray();
        foreach (var partition in plan)
        {
            await foreach (var batch in source.ReadAsync(columns, partition.Bounds, 500, CancellationToken.None))
                keys.AddRange(batch.Column<long>("customer_id").Values.Take(batch.Count));
        }
        Assert.Equal(Enumerable.Range(1, 3_000).Select(i => (long)i), keys.Order());
    }

    [Fact]
    public async Task A_window_is_split_into_grain_slices_from_its_start()
    {
        var source = await SourceAsync();
        var window = new Core.Runs.TimeWindow(SyntheticChurnData.DefaultStart.AddHours(6), SyntheticChurnData.DefaultStart.AddDays(3).AddHours(6));
        var plan = await source.PlanAsync(window, new PartitioningSpec(TimeSpan.FromDays(1), 2), CancellationToken.None);
        Assert.Equal(6, plan.Count);
        Assert.Equal(window.StartUtc, plan[0].Bounds.WindowStart);
        Assert.Equal(window.EndUtc, plan[^1].Bounds.WindowEnd);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var expected = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM plan_customers WHERE event_time >= @s AND event_time < @e", new { s = window.StartUtc, e = window.EndUtc });
        Assert.Equal(expected, plan.Sum(p => p.EstimatedRows ?? 0), 2.0);
    }

    [Fact]
    public async Task A_single_integer_key_is_bucketed_by_ranges_whose_open_ends_take_rows_added_after_planning()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE range_customers ({SyntheticChurnData.TableDefinition})");
        await BinaryCopyWriter.CopyAsync(connection, "range_customers", SyntheticChurnData.Generate(1_000, seed: 8, firstKey: 101).ToAsyncEnumerable(), CancellationToken.None);
        var source = PostgresRelationSource.ForTable(database.DataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse("range_customers"), ["customer_id"]));

        var plan = await source.PlanAsync(null, new PartitioningSpec(null, 4), CancellationToken.None);
        Assert.Equal([(null, 351L), (351L, 601L), (601L, 851L), (851L, null)], plan.Select(p => (p.Bounds.KeyFrom, p.Bounds.KeyTo)));
        Assert.All(plan, p => Assert.Equal(250, p.EstimatedRows));
        // Named by their bounds: a later run whose ranges moved must not take them for the same, already scored, partitions.
        Assert.Equal(["keys[,351)", "keys[351,601)", "keys[601,851)", "keys[851,)"], plan.Select(p => p.Bounds.Key));

        await connection.ExecuteAsync("""
            INSERT INTO range_customers (customer_id, event_time) VALUES (-5, now()), (5000, now());
            """);
        var keys = await ReadKeysAsync(source, plan);
        Assert.Equal([-5L, .. Enumerable.Range(101, 1_000).Select(i => (long)i), 5000L], keys.Order());
    }

    [Fact]
    public async Task Fewer_distinct_keys_than_buckets_give_fewer_ranges_and_other_keys_hash_buckets()
    {
        await SourceAsync();
        var narrow = PostgresRelationSource.ForQuery(database.DataSource,
            new PostgresQuerySourceSpec("SELECT customer_id % 3 AS k FROM plan_customers", ["k"]));
        var ranges = await narrow.PlanAsync(null, new PartitioningSpec(null, 8), CancellationToken.None);
        Assert.Equal([(null, 1L), (1L, 2L), (2L, null)], ranges.Select(p => (p.Bounds.KeyFrom, p.Bounds.KeyTo)));
        Assert.Equal(3_000, (await ReadKeysAsync(narrow, ranges, "k")).Count);

        var text = PostgresRelationSource.ForQuery(database.DataSource,
            new PostgresQuerySourceSpec("SELECT customer_id::text AS k FROM plan_customers", ["k"]));
        var hashed = await text.PlanAsync(null, new PartitioningSpec(null, 4), CancellationToken.None);
        Assert.All(hashed, p => Assert.False(p.Bounds.IsKeyRange));
        Assert.Equal(4, hashed.Count);
    }

    private static async Task<List<long>> ReadKeysAsync(PostgresRelationSource source, IEnumerable<PlannedPartition> plan, string key = "customer_id")
    {
        var keys = new List<long>();
        var columns = (await source.DescribeAsync(CancellationToken.None)).Where(c => c.Name == key).ToArray();
        foreach (var partition in plan)
        {
            await foreach (var batch in source.ReadAsync(columns, partition.Bounds, 500, CancellationToken.None))
                keys.AddRange(batch[key] switch
                {
                    BatchColumn<long> longs => longs.Values.Take(batch.Count),
                    BatchColumn<int> ints => ints.Values.Take(batch.Count).Select(v => (long)v),
                    var other => throw new InvalidOperationException(other.Kind.ToString()),
                });
        }
        return keys;
    }

    [Fact]
    public async Task A_query_source_runs_read_only()
    {
        await SourceAsync();
        var query = PostgresRelationSource.ForQuery(database.DataSource,
            new PostgresQuerySourceSpec("SELECT customer_id, nextval('plan_seq') AS n FROM plan_customers", ["customer_id"]));
        var columns = await query.DescribeAsync(CancellationToken.None);
        var e = await Assert.ThrowsAsync<BatchScoringException>(async () =>
        {
            await foreach (var _ in query.ReadAsync(columns, PartitionBounds.Everything, 100, CancellationToken.None))
            {
            }
        });
        Assert.Contains("read-only transaction", e.Message);
        Assert.Contains("source query", e.Message);
    }

    private async Task<PostgresRelationSource> SourceAsync()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"""
            CREATE TABLE IF NOT EXISTS plan_customers ({SyntheticChurnData.TableDefinition});
            CREATE SEQUENCE IF NOT EXISTS plan_seq;
            """);
        if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM plan_customers") == 0)
            await BinaryCopyWriter.CopyAsync(connection, "plan_customers", SyntheticChurnData.Generate(3_000, seed: 4).ToAsyncEnumerable(), CancellationToken.None);
        return PostgresRelationSource.ForTable(database.DataSource,
            new PostgresTableSourceSpec(SqlIdentifier.Parse("plan_customers"), ["customer_id"], "event_time"));
    }
}
