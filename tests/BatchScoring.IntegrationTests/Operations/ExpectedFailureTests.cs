using BatchScoring.Core.Runs;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>Failures a user can cause print one line and an exit code, never a stack trace, and change nothing.</summary>
public class ExpectedFailureTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
        ["Observability__MetricsAddress"] = "",
    };

    [Theory]
    [InlineData("runs")]
    [InlineData("migrate")]
    [InlineData("worker")]
    public async Task A_database_that_is_down_at_start_is_one_line_naming_host_port_and_the_setting(string verb)
    {
        var port = FreePort.OnLoopback();
        var environment = Environment();
        environment["ConnectionStrings__BatchScoring"] = $"Host=127.0.0.1;Port={port};Username=postgres;Timeout=5";

        var result = await CliRun.RunAsync(env.Folder, [verb], environment);

        result.AssertOneLineError(3, $"127.0.0.1:{port}", "ConnectionStrings:BatchScoring");
    }

    [Fact]
    public async Task A_job_folder_that_does_not_exist_is_one_line_naming_it()
    {
        var missing = Path.Combine(env.Folder, "no-such-jobs");
        var environment = Environment();
        environment["Jobs__Directory"] = missing;

        var result = await CliRun.RunAsync(env.Folder, ["jobs", "list"], environment);

        result.AssertOneLineError(2, missing, "does not exist");
    }

    [Fact]
    public async Task Retry_of_a_succeeded_run_is_refused_and_leaves_the_run_untouched_even_while_another_run_is_active()
    {
        OperationsHelpers.WriteChurnJob(env, "retry-done", ScoringEnvironment.SourceTable, "scored.retry_done");
        var run = await CliRun.RunAsync(env.Folder, ["run", "retry-done"], Environment());
        Assert.True(run.ExitCode == 0, $"run exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        var (runId, finishedAt) = await connection.QuerySingleAsync<(long, DateTime)>(
            "SELECT run_id, finished_at FROM scoring.runs WHERE job_name = 'retry-done' AND status = 'succeeded'");

        var alone = await CliRun.RunAsync(env.Folder, ["retry", runId.ToString()], Environment());
        alone.AssertOneLineError(2, $"Run {runId}", "succeeded", "nothing to retry");

        var other = await TestRuns.StartAsync(env.DataSource, new RunStart("retry-done", "manual", null, null, null), CancellationToken.None);
        var whileActive = await CliRun.RunAsync(env.Folder, ["retry", runId.ToString()], Environment());
        whileActive.AssertOneLineError(2, $"Run {runId}", "nothing to retry");

        var after = await connection.QuerySingleAsync<(string, DateTime)>("SELECT status, finished_at FROM scoring.runs WHERE run_id = @runId", new { runId });
        Assert.Equal(("succeeded", finishedAt), after);
        await TestRuns.FailAsync(env.DataSource, other, "test over");
    }

    [Fact]
    public async Task Retry_of_a_failed_run_while_another_run_of_the_job_is_active_names_that_run_in_one_line()
    {
        var failed = await TestRuns.StartAsync(env.DataSource, new RunStart("retry-busy", "manual", null, null, null), CancellationToken.None);
        await TestRuns.FailAsync(env.DataSource, failed, "broke");
        var active = await TestRuns.StartAsync(env.DataSource, new RunStart("retry-busy", "manual", null, null, null), CancellationToken.None);

        var result = await CliRun.RunAsync(env.Folder, ["retry", failed.ToString()], Environment());

        result.AssertOneLineError(2, "retry-busy", $"already has run {active} in progress");
        await using var connection = await env.DataSource.OpenConnectionAsync();
        Assert.Equal("failed", await connection.ExecuteScalarAsync<string>("SELECT status FROM scoring.runs WHERE run_id = @failed", new { failed }));
    }

    [Fact]
    public async Task A_partition_over_its_error_budget_is_logged_in_one_line_without_a_stack()
    {
        await using (var connection = await env.DataSource.OpenConnectionAsync())
            await connection.ExecuteAsync("""
                CREATE TABLE public.half_keyless AS SELECT * FROM public.customers;
                ALTER TABLE public.half_keyless ALTER COLUMN customer_id DROP NOT NULL;
                UPDATE public.half_keyless SET customer_id = NULL WHERE customer_id % 2 = 0;
                """);
        OperationsHelpers.WriteChurnJob(env, "half-keyless", "public.half_keyless", "scored.half_keyless");

        var run = await CliRun.RunAsync(env.Folder, ["run", "half-keyless"], Environment());

        Assert.True(run.ExitCode == 1, $"run exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("more than the job's errors thresholds allow", run.Stdout + run.Stderr);
        Assert.Contains("key column 'customer_id' is null", run.Stdout + run.Stderr);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr);
    }
}
