using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>Parquet temporary files of killed attempts are removed by the attempt that replaces them, and by <c>worker</c> start-up.</summary>
public class TemporaryFileSweepTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
        ["Worker__Slots"] = "1",
        ["Observability__MetricsAddress"] = OperationsHelpers.FreeLoopbackAddress(),
    };

    private string WriteParquetJob(string name)
    {
        var folder = Path.Combine(env.Folder, "out-" + name);
        env.WriteJob(name, $"""
            name: {name}
            source:
              table: {ScoringEnvironment.SourceTable}
              key_columns: [customer_id]
            partitioning:
              buckets: 2
            model:
              path: churn.zip
            output:
              parquet_folder: {folder}
            retries:
              max_attempts: 1
            """);
        return folder;
    }

    /// <summary>What a worker killed while writing partition <paramref name="partitionId"/> leaves behind.</summary>
    private static string PlantTemporaryFile(string folder, long partitionId)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $".part-{partitionId}.parquet.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(path, [(byte)'P', (byte)'A', (byte)'R', (byte)'1', 0, 0]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        return path;
    }

    [Fact]
    public async Task The_retry_that_replaces_a_partition_removes_the_temporary_files_of_its_earlier_attempts()
    {
        var folder = WriteParquetJob("sweep-retry");
        await File.WriteAllTextAsync(folder, "a file where the output folder should be: every partition fails");
        var failed = await CliRun.RunAsync(env.Folder, ["run", "sweep-retry"], Environment());
        Assert.True(failed.ExitCode == 1, $"run exited {failed.ExitCode}:\n{failed.Stdout}\n{failed.Stderr}");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        var runId = await connection.ExecuteScalarAsync<long>("SELECT max(run_id) FROM scoring.runs WHERE job_name = 'sweep-retry'");
        var partitionIds = (await connection.QueryAsync<long>("SELECT partition_id FROM scoring.partitions WHERE run_id = @runId", new { runId })).ToArray();
        Assert.Equal(2, partitionIds.Length);

        File.Delete(folder);
        var leftovers = partitionIds.Select(id => PlantTemporaryFile(folder, id)).ToArray();
        var otherPartitions = PlantTemporaryFile(folder, partitionIds.Max() + 1_000_000);
        var retried = await CliRun.RunAsync(env.Folder, ["retry", runId.ToString()], Environment());

        Assert.True(retried.ExitCode == 0, $"retry exited {retried.ExitCode}:\n{retried.Stdout}\n{retried.Stderr}");
        Assert.All(partitionIds, id => Assert.True(File.Exists(Path.Combine(folder, $"part-{id}.parquet"))));
        Assert.All(leftovers, path => Assert.False(File.Exists(path), $"{path} is still there"));
        Assert.True(File.Exists(otherPartitions), "the temporary file of a partition the retry does not replace was removed");
    }

    [Fact]
    public async Task Worker_start_up_removes_the_temporary_files_of_partitions_not_running_and_keeps_those_of_running_ones()
    {
        var folder = WriteParquetJob("sweep-worker");
        await new MigrationRunner(env.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var ledger = new RunLedger(env.DataSource);
        var runId = await ledger.CreateRunAsync(new NewRun(new RunStart("sweep-worker-live", RunTrigger.Manual, null, null, null), null, null, "(test)", null,
            MaxAttempts: 1, MaxConcurrency: 0, Deadline: null, Partitions: [new PlannedPartition(PartitionBounds.Everything, 10)]), CancellationToken.None);
        var live = await new PartitionLeases(env.DataSource).ClaimAsync("another-host:1:0", TimeSpan.FromMinutes(10), runId, CancellationToken.None);
        Assert.NotNull(live);
        var running = PlantTemporaryFile(Path.Combine(folder, "window_start=2026-09-01"), live.PartitionId);
        var abandoned = PlantTemporaryFile(Path.Combine(folder, "window_start=2026-09-01"), live.PartitionId + 1_000_000);
        var abandonedAtTop = PlantTemporaryFile(folder, live.PartitionId + 2_000_000);

        using var worker = Cli.Start(env.Folder, ["worker"], Environment());
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((File.Exists(abandoned) || File.Exists(abandonedAtTop)) && DateTime.UtcNow < deadline && !worker.HasExited)
            await Task.Delay(200);
        var output = worker.Output;
        worker.Kill();

        Assert.False(File.Exists(abandoned), $"{abandoned} is still there:\n{output}");
        Assert.False(File.Exists(abandonedAtTop), $"{abandonedAtTop} is still there:\n{output}");
        Assert.True(File.Exists(running), $"the temporary file of running partition {live.PartitionId} was removed");
        Assert.Contains("Removed 2 temporary Parquet files", output);
    }
}
