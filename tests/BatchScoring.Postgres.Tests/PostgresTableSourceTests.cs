using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Sql;
using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Sources;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests;

public class PostgresTableSourceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Copies_rows_in_and_streams_them_back_in_batches_exactly()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE customers ({SyntheticChurnData.TableDefinition})");
        var written = SyntheticChurnData.Generate(5_000, seed: 11, batchSize: 1_500).ToList();
        Assert.Equal(5_000ul, await BinaryCopyWriter.CopyAsync(connection, "customers", written.ToAsyncEnumerable(), CancellationToken.None));
        await connection.ExecuteAsync("UPDATE customers SET monthly_charges = NULL, contract = NULL WHERE customer_id % 10 = 0");

        var source = new PostgresTableSource(database.DataSource, SqlIdentifier.Parse("customers"));
        var schema = await source.DescribeAsync(CancellationToken.None);
        Assert.Equal(SyntheticChurnData.Schema.Select(c => (c.Name, c.Kind)), schema.Select(c => (c.Name, c.Kind)));

        var batches = new List<RowBatch>();
        await foreach (var batch in source.ReadAsync(schema, 2_048, CancellationToken.None))
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
        var source = new PostgresTableSource(database.DataSource, SqlIdentifier.Parse("nowhere.customers"));
        var e = await Assert.ThrowsAsync<BatchScoringException>(() => source.DescribeAsync(CancellationToken.None));
        Assert.Contains("nowhere.customers", e.Message);
    }
}
