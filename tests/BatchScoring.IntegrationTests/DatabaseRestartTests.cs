using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.Training;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Local;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Hosting;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// PostgreSQL restarted in the middle of a run. The test starts a cluster of its own from the local
/// PostgreSQL binaries (whatever server the other tests use), so restarting it disturbs nothing else.
/// </summary>
public sealed class DatabaseRestartTests : IAsyncLifetime
{
    private const int Rows = 40_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("batchscoring-restart-").FullName;
    private readonly string _clusterFolder = Path.Combine(Path.GetTempPath(), "batchscoring-restart-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private LocalPostgresCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = new LocalPostgresCluster(_clusterFolder, FreePort.OnLoopback(), durable: false);
        await _cluster.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAsync(immediate: true, CancellationToken.None);
        Directory.Delete(_clusterFolder, recursive: true);
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_run_completes_after_PostgreSQL_restarts_in_its_middle()
    {
        await using (var connection = new NpgsqlConnection(_cluster.ConnectionString + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE TABLE public.customers ({SyntheticChurnData.TableDefinition})");
            await BinaryCopyWriter.CopyAsync(connection, "public.customers", SyntheticChurnData.Generate(Rows, seed: 5).ToAsyncEnumerable(), CancellationToken.None);
            // So that the restart falls between partitions of the run, not after its end.
            await SlowPartitions.CreateOutputAsync(connection, "scored.restart", 1);
        }
        var training = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(4_000, seed: 6, firstKey: 900_000).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn, Trees: 10, Leaves: 8),
            Path.Combine(_folder, "churn.zip"));
        File.WriteAllText(Path.Combine(_folder, "restart.yaml"), """
            name: restart
            source:
              table: public.customers
              key_columns: [customer_id]
            partitioning:
              buckets: 4
            model:
              path: churn.zip
            output:
              table: scored.restart
            retries:
              max_attempts: 10
              backoff: 1s
              max_backoff: 2s
            """);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = _cluster.ConnectionString + ";Timeout=3;Command Timeout=10",
            ["Jobs:Directory"] = _folder,
            ["Models:Directory"] = _folder,
            ["Worker:Slots"] = "1",
            ["Worker:BatchSize"] = "500",
            ["Worker:LeaseDuration"] = "00:00:03",
            ["Worker:PollInterval"] = "00:00:00.200",
        }).Build();
        using var host = await ServiceHost.BuildAsync(configuration, CancellationToken.None);
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);

        var run = host.Services.GetRequiredService<JobRunner>().RunAsync(
            JobSpecLoader.LoadByName(_folder, "restart"), RunTrigger.Manual, CancellationToken.None);
        await WaitForSucceededPartitionAsync();
        await _cluster.StopAsync(immediate: false, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await _cluster.StartAsync(CancellationToken.None);
        var restartedAt = DateTime.UtcNow;
        var outcome = await run.WaitAsync(TimeSpan.FromMinutes(4));

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        await using var check = new NpgsqlConnection(_cluster.ConnectionString + ";Pooling=false");
        await check.OpenAsync();
        Assert.Equal(Rows, await check.ExecuteScalarAsync<long>("SELECT count(DISTINCT customer_id) FROM scored.restart"));
        Assert.Equal(Rows, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.restart"));
        // The run straddled the restart: partitions committed before it, and after it. (Whether the restart hit a
        // partition mid-flight, which is then retried, or only the ledger calls between partitions is timing.)
        Assert.True(await check.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM scoring.partitions WHERE run_id = @RunId AND finished_at > @restartedAt", new { outcome.RunId, restartedAt }) >= 1,
            "some partition finished after the restart");
    }

    private async Task WaitForSucceededPartitionAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        while (await connection.ExecuteScalarAsync<long>(
                   "SELECT count(*) FROM scoring.partitions WHERE status = 'succeeded'") == 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("No partition succeeded before the restart.");
            await Task.Delay(50);
        }
    }
}
