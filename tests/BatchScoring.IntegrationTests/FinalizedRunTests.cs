using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.IntegrationTests.Scheduling;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// A run started next to a running worker (`docker compose run worker demo` beside the compose worker) is often
/// finished by that worker, whose finalizer writes the drift report after the status says succeeded.
/// </summary>
public class FinalizedRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Fact]
    public async Task A_run_finished_by_another_worker_returns_only_once_its_drift_report_is_stored()
    {
        env.WriteJob("finished-elsewhere", """
            name: finished-elsewhere
            source:
              table: public.customers
              key_columns: [customer_id]
              timestamp_column: event_time
            partitioning:
              grain: 7d
              buckets: 4
            model:
              path: churn.zip
            output:
              table: scored.finished_elsewhere
            drift:
              reference:
                window: {start: "2026-09-01T00:00:00Z", end: "2026-09-15T00:00:00Z"}
            """);
        await using var connection = await env.DataSource.OpenConnectionAsync();
        (string, string) poll = ("Worker:PollInterval", "00:00:00.100");
        using var starter = await env.HostAsync(poll);
        await starter.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await SlowPartitions.CreateOutputAsync(connection, "scored.finished_elsewhere", 0.2);
        using var other = await env.HostAsync(poll);
        using var stopOther = new CancellationTokenSource();
        var otherWorker = other.Services.GetRequiredService<PartitionWorkerPool>().RunAsync(null, 3, stopOther.Token);

        // Holding off every drift report keeps whichever worker finishes the run inside its finalizer.
        await using var holder = await env.DataSource.OpenConnectionAsync();
        var hold = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE scoring.drift_runs IN SHARE MODE", transaction: hold);
        var job = JobSpecLoader.LoadByName(env.Folder, "finished-elsewhere");
        var run = starter.Services.GetRequiredService<JobRunner>().RunAsync(job, new RunRequest(RunTrigger.Manual, Slots: 1), CancellationToken.None);
        await SchedulingHost.EventuallyAsync(async () => await connection.ExecuteScalarAsync<string?>(
            "SELECT status FROM scoring.runs WHERE job_name = 'finished-elsewhere'") == RunStatus.Succeeded, "the run to succeed", 60);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(run.IsCompleted, "the run returned while its drift report was still being written");

        await hold.CommitAsync();
        var outcome = await run;
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal("reported", await connection.ExecuteScalarAsync<string>(
            "SELECT drift_status FROM scoring.runs WHERE run_id = @RunId", new { outcome.RunId }));
        Assert.True(await connection.ExecuteScalarAsync<bool>(
            "SELECT finalized_at >= finished_at FROM scoring.runs WHERE run_id = @RunId", new { outcome.RunId }));
        await stopOther.CancelAsync();
        await otherWorker;
    }
}
