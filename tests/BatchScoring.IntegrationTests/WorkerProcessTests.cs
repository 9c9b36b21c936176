using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Migrations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

/// <summary>Real <c>batchscoring</c> processes sharing one run: killed mid-partition, or working side by side.</summary>
public class WorkerProcessTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private const int Rows = 48_000;

    private async Task<Dictionary<string, string>> PrepareAsync(string name)
    {
        using (var host = await env.HostAsync())
            await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE public.{name} ({SyntheticChurnData.TableDefinition})");
        await BinaryCopyWriter.CopyAsync(connection, $"public.{name}", SyntheticChurnData.Generate(Rows, seed: 31).ToAsyncEnumerable(), CancellationToken.None);
        env.WriteJob(name, $"""
            name: {name}
            source:
              table: public.{name}
              key_columns: [customer_id]
            partitioning:
              buckets: 12
            model:
              path: churn.zip
            output:
              table: scored.{name}
            retries:
              max_attempts: 3
              backoff: 1s
            """);
        return new()
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
            ["Jobs__Directory"] = env.Folder,
            ["Models__Directory"] = env.Folder,
            ["Worker__Slots"] = "1",
            ["Worker__BatchSize"] = "500",
            ["Worker__LeaseDuration"] = "00:00:03",
            ["Worker__PollInterval"] = "00:00:00.300",
            ["Observability__MetricsAddress"] = "",
        };
    }

    [Fact]
    public async Task A_worker_killed_mid_partition_is_replaced_and_every_row_is_scored_once()
    {
        var environment = await PrepareAsync("killed");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await SlowPartitions.CreateOutputAsync(connection, "scored.killed", 0.5);

        using var runner = Cli.Start(env.Folder, ["run", "killed"], environment);
        var runId = await WaitForAsync(async () =>
        {
            var state = await connection.QuerySingleOrDefaultAsync<(long RunId, long Succeeded, long Running)?>("""
                SELECT run_id, count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'running')
                FROM scoring.partitions WHERE run_id = (SELECT max(run_id) FROM scoring.runs WHERE job_name = 'killed')
                GROUP BY run_id
                """);
            return state is { Succeeded: >= 1, Running: >= 1 } s ? s.RunId : (long?)null;
        }, runner, "the first process to be mid-partition");
        runner.Kill();
        Assert.Equal("running", await connection.ExecuteScalarAsync<string>("SELECT status FROM scoring.runs WHERE run_id = @runId", new { runId }));

        using var worker = Cli.Start(env.Folder, ["worker"], environment);
        var status = await WaitForAsync(() => connection.ExecuteScalarAsync<string?>(
            "SELECT status FROM scoring.runs WHERE run_id = @runId AND status <> 'running'", new { runId }), worker, "the worker to finish the run");
        worker.Kill();

        Assert.Equal("succeeded", status);
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.killed"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT customer_id) FROM scored.killed"));
        Assert.True(await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM scoring.partitions WHERE run_id = @runId AND lease_reclaims > 0 AND attempts >= 2", new { runId }) >= 1);
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT rows_scored FROM scoring.runs WHERE run_id = @runId", new { runId }));
    }

    [Fact]
    public async Task Two_worker_processes_share_the_partitions_of_one_run()
    {
        var environment = await PrepareAsync("shared");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await SlowPartitions.CreateOutputAsync(connection, "scored.shared", 0.5);

        using var worker = Cli.Start(env.Folder, ["worker"], environment);
        await Task.Delay(TimeSpan.FromSeconds(2));
        using var runner = Cli.Start(env.Folder, ["run", "shared"], environment);
        var exitCode = await runner.WaitAsync(TimeSpan.FromMinutes(4));
        worker.Kill();

        Assert.True(exitCode == 0, $"run exited {exitCode}:\n{runner.Output}");
        var owners = (await connection.QueryAsync<string>("""
            SELECT DISTINCT split_part(completed_by, ':', 2) FROM scoring.partitions
            WHERE run_id = (SELECT max(run_id) FROM scoring.runs WHERE job_name = 'shared')
            """)).ToList();
        Assert.Equal(2, owners.Count);
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT customer_id) FROM scored.shared"));
    }

    [Fact]
    public async Task A_worker_stopped_with_SIGTERM_hands_its_partition_back_at_once_and_exits_0()
    {
        var environment = await PrepareAsync("handoff");
        // Leases that would take a minute to expire: a partition not handed back would hold the run up that long.
        environment["Worker__LeaseDuration"] = "00:01:00";
        await using var connection = await env.DataSource.OpenConnectionAsync();
        // Each partition takes longer than the stopped worker's grace, so it is handed back rather than finished.
        await SlowPartitions.CreateOutputAsync(connection, "scored.handoff", 3);

        using var stopped = Cli.Start(env.Folder, ["worker"], new Dictionary<string, string>(environment) { ["Worker__ShutdownGrace"] = "00:00:01" });
        await Task.Delay(TimeSpan.FromSeconds(2));
        using var runner = Cli.Start(env.Folder, ["run", "handoff"], environment);
        var held = await WaitForAsync(() => connection.ExecuteScalarAsync<long?>(
            "SELECT partition_id FROM scoring.partitions WHERE status = 'running' AND split_part(lease_owner, ':', 2) = @pid",
            new { pid = stopped.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }), stopped, "the worker to hold a partition");
        var signalled = DateTime.UtcNow;
        stopped.Signal("TERM");
        var stoppedExit = await stopped.WaitAsync(TimeSpan.FromSeconds(20));
        var stopTook = DateTime.UtcNow - signalled;
        var afterStop = await connection.QuerySingleAsync<(string Status, string? Owner, int Attempts)>(
            "SELECT status, lease_owner, attempts FROM scoring.partitions WHERE partition_id = @held", new { held });
        var runnerExit = await runner.WaitAsync(TimeSpan.FromMinutes(3));
        var runTook = DateTime.UtcNow - signalled;

        Assert.True(stoppedExit == 0, $"the stopped worker exited {stoppedExit}:\n{stopped.Output}");
        Assert.True(stopTook < TimeSpan.FromSeconds(12), $"the worker took {stopTook} to stop with a grace of 1 s");
        Assert.Contains("handed back", stopped.Output, StringComparison.Ordinal);
        Assert.False(afterStop.Owner?.Split(':')[1] == stopped.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"partition {held} still leased to the stopped worker: {afterStop}");
        Assert.True(runnerExit == 0, $"run exited {runnerExit}:\n{runner.Output}");
        Assert.True(runTook < TimeSpan.FromSeconds(55), $"the run took {runTook} after the stop: the partition waited for its lease to expire");
        var runId = await connection.ExecuteScalarAsync<long>("SELECT max(run_id) FROM scoring.runs WHERE job_name = 'handoff'");
        Assert.Equal("succeeded", await connection.ExecuteScalarAsync<string>("SELECT status FROM scoring.runs WHERE run_id = @runId", new { runId }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT sum(lease_reclaims) FROM scoring.partitions WHERE run_id = @runId", new { runId }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT attempts FROM scoring.partitions WHERE partition_id = @held", new { held }));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.handoff"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT customer_id) FROM scored.handoff"));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, Cli process, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value)
                return value;
            if (process.HasExited)
                throw new Xunit.Sdk.XunitException($"Waiting for {what}, the process exited {process.ExitCode}:\n{process.Output}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"Gave up waiting for {what}:\n{process.Output}");
    }
}

public class CancelRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Fact]
    public async Task Cancelling_a_run_keeps_its_committed_partitions_and_marks_the_rest_cancelled()
    {
        await using (var setup = await env.DataSource.OpenConnectionAsync())
        {
            await setup.ExecuteAsync($"CREATE TABLE public.many ({SyntheticChurnData.TableDefinition})");
            await BinaryCopyWriter.CopyAsync(setup, "public.many", SyntheticChurnData.Generate(120_000, seed: 12).ToAsyncEnumerable(), CancellationToken.None);
            await SlowPartitions.CreateOutputAsync(setup, "scored.cancelled", 0.3);
        }
        env.WriteJob("cancelled", """
            name: cancelled
            source:
              table: public.many
              key_columns: [customer_id]
            partitioning:
              buckets: 24
            model:
              path: churn.zip
            output:
              table: scored.cancelled
            """);
        using var host = await env.HostAsync(("Worker:Slots", "1"), ("Worker:BatchSize", "200"), ("Worker:LeaseDuration", "00:00:03"));
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var run = host.Services.GetRequiredService<BatchScoring.Worker.Execution.JobRunner>().RunAsync(
            BatchScoring.Core.Jobs.JobSpecLoader.LoadByName(env.Folder, "cancelled"), BatchScoring.Core.Runs.RunTrigger.Manual, CancellationToken.None);

        await using var connection = await env.DataSource.OpenConnectionAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        long runId = 0;
        while (runId == 0 && DateTime.UtcNow < deadline)
        {
            runId = await connection.ExecuteScalarAsync<long?>(
                "SELECT run_id FROM scoring.partitions WHERE status = 'succeeded' AND run_id = (SELECT max(run_id) FROM scoring.runs WHERE job_name = 'cancelled') LIMIT 1") ?? 0;
            await Task.Delay(20);
        }
        // What `batchscoring cancel <run-id>` does, without the start-up time of a process.
        Assert.True(await host.Services.GetRequiredService<BatchScoring.Postgres.Ledger.RunLedger>()
            .RequestCancelAsync(runId, "cancelled by the user", CancellationToken.None));
        var outcome = await run.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("cancelled", outcome.Status);
        var partitions = (await connection.QueryAsync<(string Status, long Rows)>(
            "SELECT status, rows_scored FROM scoring.partitions WHERE run_id = @runId", new { runId })).ToList();
        Assert.Contains(partitions, p => p.Status == "succeeded");
        Assert.Contains(partitions, p => p.Status == "cancelled");
        Assert.All(partitions, p => Assert.True(p.Status is "succeeded" or "cancelled", p.Status));
        Assert.Equal(partitions.Where(p => p.Status == "succeeded").Sum(p => p.Rows),
            await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.cancelled"));
    }
}
