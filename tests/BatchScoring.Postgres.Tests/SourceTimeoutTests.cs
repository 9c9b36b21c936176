using System.Diagnostics;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.Sources;
using BatchScoring.Testing;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Tests;

/// <summary>
/// Source statements are bounded on the server by the job's limit (issue 13, finding 14), and a stopped read stops on the
/// server too, instead of running on after the partition gave up.
/// </summary>
public class SourceTimeoutTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task A_query_longer_than_the_job_limit_is_stopped_on_the_server()
    {
        var dataSource = await SourceTableAsync();
        var marker = "limit_" + Guid.NewGuid().ToString("N")[..8];
        var source = PostgresRelationSource.ForQuery(dataSource,
            new PostgresQuerySourceSpec($"SELECT t.id, t.x, '{marker}' AS m FROM slow_t t, (SELECT pg_sleep(60)) s", ["id"]), new SourceLimits("slow-job", TimeSpan.FromSeconds(2)));
        var columns = await source.DescribeAsync(CancellationToken.None);

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(source, columns, CancellationToken.None));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        Assert.Contains("statement timeout", e.ToString());
        Assert.Equal(0, await ActiveAsync(marker));
    }

    [Fact]
    public async Task Cancelling_a_read_cancels_its_query_on_the_server()
    {
        var dataSource = await SourceTableAsync();
        var marker = "cancel_" + Guid.NewGuid().ToString("N")[..8];
        var source = PostgresRelationSource.ForQuery(dataSource,
            new PostgresQuerySourceSpec($"SELECT t.id, t.x, '{marker}' AS m FROM slow_t t, (SELECT pg_sleep(60)) s", ["id"]), new SourceLimits("slow-job", TimeSpan.FromMinutes(30)));
        var columns = await source.DescribeAsync(CancellationToken.None);

        using var cancel = new CancellationTokenSource();
        var reading = ReadAllAsync(source, columns, cancel.Token);
        await WaitUntilAsync(async () => await ActiveAsync(marker) == 1, TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => reading);

        await WaitUntilAsync(async () => await ActiveAsync(marker) == 0, TimeSpan.FromSeconds(5));
        Assert.Equal(0, await ActiveAsync(marker));
    }

    private static async Task ReadAllAsync(PostgresRelationSource source, IReadOnlyList<ColumnSchema> columns, CancellationToken cancellationToken)
    {
        await foreach (var _ in source.ReadAsync(columns, PartitionBounds.Everything, 100, cancellationToken))
        {
        }
    }

    /// <summary>Running statements of other sessions whose text carries the marker.</summary>
    private async Task<int> ActiveAsync(string marker)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%' || @marker || '%'",
            new { marker });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition() && clock.Elapsed < limit)
            await Task.Delay(100);
    }

    private async Task<NpgsqlDataSource> SourceTableAsync()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS slow_t AS SELECT g::bigint AS id, g AS x FROM generate_series(1, 5) g");
        return database.DataSource;
    }
}
