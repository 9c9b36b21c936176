using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BatchScoring.IntegrationTests;

/// <summary>Runs of query-source jobs (issue 13, findings 5, 13 and 14): attacks fail the run, slow queries fit the job's limits.</summary>
public class SourceQueryRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private static string Job(string name, string query, string extra = "") => $"""
        name: {name}
        source:
          query: "{query}"
          key_columns: [customer_id]
        model:
          path: churn.zip
        output:
          table: scored.{name.Replace('-', '_')}
        {extra}
        """;

    [Fact]
    public async Task The_commit_escape_fails_the_run_naming_the_job_and_drops_nothing()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS public.victim AS SELECT 1 AS v");
        env.WriteJob("escape", Job("escape", "SELECT * FROM public.customers) AS q; COMMIT; DROP TABLE public.victim; SELECT * FROM (SELECT * FROM public.customers"));

        var outcome = await RunAsync("escape");

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("escape", outcome.Error);
        Assert.Contains("one SELECT", outcome.Error);
        Assert.DoesNotContain('\n', outcome.Error!);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM public.victim"));
    }

    [Fact]
    public async Task A_query_slower_than_the_source_connections_command_timeout_is_scored()
    {
        env.WriteJob("slow-query", Job("slow-query", "SELECT c.* FROM public.customers c, (SELECT pg_sleep(1.5)) s WHERE c.customer_id <= 100", "partition_timeout: 5m"));
        var source = new NpgsqlConnectionStringBuilder(env.ConnectionString) { CommandTimeout = 1 }.ConnectionString;

        var outcome = await RunAsync("slow-query", ("ConnectionStrings:Source", source));

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Error);
        Assert.Equal(100, outcome.RowsScored);
    }

    [Fact]
    public async Task A_timed_out_partition_says_so_and_leaves_no_query_running_on_the_server()
    {
        var marker = "timeout_" + Guid.NewGuid().ToString("N")[..8];
        // Only the partition's COPY sleeps, not the planning statements.
        env.WriteJob("sleepy", Job("sleepy", $"SELECT c.*, '{marker}' AS m FROM public.customers c, (SELECT pg_sleep(CASE WHEN current_query() LIKE 'COPY%' THEN 60 ELSE 0 END)) s",
            "partition_timeout: 3s\nretries:\n  max_attempts: 2\n  backoff: 1s\n  max_backoff: 1s"));

        var started = DateTime.UtcNow;
        var outcome = await RunAsync("sleepy");

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(40));
        await using var connection = await env.DataSource.OpenConnectionAsync();
        var errors = (await connection.QueryAsync<string>("SELECT last_error FROM scoring.partitions WHERE run_id = @RunId", new { outcome.RunId })).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains("partition_timeout 3s of job sleepy exceeded", e));
        await Task.Delay(500);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%' || @marker || '%'", new { marker }));
    }

    [Fact]
    public async Task Planning_longer_than_partition_timeout_fails_the_run_saying_which_timeout()
    {
        env.WriteJob("plan-sleepy", Job("plan-sleepy", "SELECT c.* FROM public.customers c, (SELECT pg_sleep(60)) s", "partition_timeout: 2s"));

        var started = DateTime.UtcNow;
        var outcome = await RunAsync("plan-sleepy");

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        Assert.Contains("partition_timeout 2s of job 'plan-sleepy' exceeded while planning", outcome.Error);
    }

    [Fact]
    public async Task Planning_longer_than_the_runs_timeout_fails_the_run_naming_timeout()
    {
        env.WriteJob("run-sleepy", Job("run-sleepy", "SELECT c.* FROM public.customers c, (SELECT pg_sleep(60)) s", "timeout: 2s\npartition_timeout: 30s"));

        var started = DateTime.UtcNow;
        var outcome = await RunAsync("run-sleepy");

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        Assert.Contains("timeout 2s of job 'run-sleepy' exceeded while planning", outcome.Error);
        Assert.DoesNotContain("partition_timeout", outcome.Error);
    }

    private async Task<Worker.Execution.RunOutcome> RunAsync(string name, params (string Key, string Value)[] overrides)
    {
        using var host = await env.HostAsync(overrides);
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        return await host.Services.GetRequiredService<JobRunner>().RunAsync(JobSpecLoader.LoadByName(env.Folder, name), RunTrigger.Manual, CancellationToken.None);
    }
}
