using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using Dapper;

namespace BatchScoring.IntegrationTests.Scheduling;

/// <summary>Two worker processes on one database: each fire of a schedule runs once in the cluster.</summary>
public class ClusteredSchedulingTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    private const string TickJob = """
        name: tick
        schedule: { cron: "*/2 * * * * ?", timezone: UTC }
        source: { table: public.tiny_customers, key_columns: [customer_id], timestamp_column: event_time }
        window: { size: 2s }
        partitioning: { grain: none }
        model: { path: churn.zip }
        output: { table: scored.tick }
        """;

    [Fact]
    public async Task Every_fire_runs_exactly_once_across_two_worker_hosts()
    {
        await using (var connection = await env.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"CREATE TABLE public.tiny_customers ({SyntheticChurnData.TableDefinition})");
            await BinaryCopyWriter.CopyAsync(connection, "public.tiny_customers",
                SyntheticChurnData.Generate(200, seed: 5).ToAsyncEnumerable(), CancellationToken.None);
        }
        env.WriteJob("tick", TickJob);
        var configuration = env.Configuration(
            ("Scheduler:Clustered", "true"),
            ("Scheduler:ClusterCheckinInterval", "00:00:01"),
            ("Scheduler:ReloadInterval", "00:00:00.500"));

        var firstFires = new FireCounter();
        var secondFires = new FireCounter();
        using var first = await SchedulingHost.StartAsync(configuration, firstFires);
        using var second = await SchedulingHost.StartAsync(configuration, secondFires);
        await Task.Delay(TimeSpan.FromSeconds(12));
        await using var db = await env.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("SELECT count(DISTINCT instance_name) FROM quartz.qrtz_scheduler_state"));
        await Task.WhenAll(first.StopAsync(), second.StopAsync());

        var runs = (await db.QueryAsync<(long RunId, string Status, DateTime WindowStart, DateTime WindowEnd, string Trigger)>(
            "SELECT run_id, status, window_start, window_end, trigger FROM scoring.runs WHERE job_name = 'tick' ORDER BY window_end")).ToList();

        Assert.True(runs.Count >= 4, $"expected a run every 2 s for 12 s, got {runs.Count}");
        Assert.All(runs, r => Assert.Equal(("succeeded", "schedule"), (r.Status, r.Trigger)));
        Assert.All(runs, r => Assert.Equal(Every, r.WindowEnd - r.WindowStart));
        // None doubled: one run per fire time (the window ends at the scheduled fire time).
        Assert.Equal(runs.Count, runs.Select(r => r.WindowEnd).Distinct().Count());
        // None lost: the fire times are consecutive 2-second steps.
        var span = runs[^1].WindowEnd - runs[0].WindowEnd;
        Assert.Equal(runs.Count, (int)(span / Every) + 1);
        // Quartz itself fired each time once in the cluster (the ledger guard had nothing to refuse).
        var fires = firstFires.Fires.Concat(secondFires.Fires).ToList();
        Assert.Equal(fires.Count, fires.Distinct().Count());
        Assert.Equal(runs.Select(r => r.WindowEnd), fires.Select(f => f.UtcDateTime).Order());
    }
}
