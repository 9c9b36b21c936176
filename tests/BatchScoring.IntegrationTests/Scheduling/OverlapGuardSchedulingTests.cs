using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.IntegrationTests.Scheduling;

/// <summary>A fire while the job's previous run is still in progress (in any process) is skipped, not run alongside.</summary>
public sealed class OverlapGuardSchedulingTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("batchscoring-overlap-").FullName;

    [Fact]
    public async Task Fires_during_a_run_in_progress_elsewhere_are_skipped_and_the_job_stays_scheduled()
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        // Another process's run of the job, still going.
        var running = await TestRuns.StartAsync(database.DataSource, new RunStart("busy", RunTrigger.Manual, null, null, null), CancellationToken.None);
        File.WriteAllText(Path.Combine(folder, "busy.yaml"), """
            name: busy
            schedule: { cron: "* * * * * ?" }
            source: { table: public.customers, key_columns: [customer_id] }
            model: { path: churn.zip }
            output: { table: scored.busy }
            """);
        var fires = new FireCounter();
        using var host = await SchedulingHost.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = database.ConnectionString,
            ["Jobs:Directory"] = folder,
            ["Models:Directory"] = folder,
        }).Build(), fires);

        await SchedulingHost.EventuallyAsync(() => Task.FromResult(fires.Fires.Count >= 3), "three fires of the every-second trigger");
        await host.StopAsync();

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var runs = await connection.QueryAsync<long>("SELECT run_id FROM scoring.runs WHERE job_name = 'busy'");
        Assert.Equal([running], runs);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
