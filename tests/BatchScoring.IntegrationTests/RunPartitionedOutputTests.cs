using System.Globalization;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// <c>output.replace: run</c>: the output table is partitioned by run, each run COPYs into its own partition, a succeeded
/// run detaches the earlier runs' partitions (kept for <c>runs rollback</c>), and readers see one row per key.
/// </summary>
public class RunPartitionedOutputTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private const int Rows = RerunJobs.Rows;

    private Task<NpgsqlConnection> SourceAsync(string name) => RerunJobs.SourceAsync(env, name, seed: 23);

    private static string Job(string name, int maxAttempts = 3) => RerunJobs.Job(name, "  replace: run", maxAttempts: maxAttempts);

    private Task<(IHost Host, JobRunner Runner, JobSpec Job)> PrepareAsync(string name, string yaml) => RerunJobs.PrepareAsync(env, name, yaml);

    private Task<(int ExitCode, string Output)> CliAsync(params string[] arguments) => DemoCommandTests.RunCliAsync(env.Folder, arguments, new()
    {
        ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        ["Jobs__Directory"] = env.Folder,
        ["Models__Directory"] = env.Folder,
    });

    private static async Task<string[]> PartitionsOfAsync(NpgsqlConnection connection, string table)
        => (await connection.QueryAsync<string>(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = @table::regclass ORDER BY length(c.relname), c.relname", new { table })).ToArray();

    private static async Task<Dictionary<long, float>> ScoresAsync(NpgsqlConnection connection, string relation)
        => (await connection.QueryAsync<(long, float)>($"SELECT customer_id, probability FROM {relation}")).ToDictionary(r => r.Item1, r => r.Item2);

    [Fact]
    public async Task A_rerun_and_a_retried_partition_leave_one_row_per_key_with_the_new_runs_values_in_the_new_runs_partition()
    {
        const string name = "by_run";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name));
        using var _ = host;
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal([$"{name}_r{first.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));

        // The second run sees other feature values, so other scores; the first row it writes fails once (a sequence
        // survives the rollback; a row trigger on the parent is cloned onto every partition), so one partition is retried.
        await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = tenure_months + 24, support_calls = 0");
        await connection.ExecuteAsync($"""
            CREATE SEQUENCE by_run_attempts;
            CREATE FUNCTION fail_first_row() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF nextval('by_run_attempts') = 1 THEN RAISE EXCEPTION 'injected failure of a first write'; END IF; RETURN NULL; END $$;
            CREATE TRIGGER fail_first_row AFTER INSERT ON scored.{name} FOR EACH ROW EXECUTE FUNCTION fail_first_row();
            """);
        var before = await ScoresAsync(connection, $"scored.{name}");

        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, second.Status);
        var partitions = await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(second.RunId, CancellationToken.None);
        Assert.Contains(partitions, p => p.Attempts == 2);
        // The first run's partition is detached: the table holds the second run's rows only, one per key.
        Assert.Equal([$"{name}_r{second.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(DISTINCT customer_id) FROM scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = second.RunId }));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_latest WHERE run_id = @run", new { run = second.RunId }));
        var after = await ScoresAsync(connection, $"scored.{name}");
        Assert.True(after.Count(a => a.Value != before[a.Key]) > Rows / 10, "the new run's scores replaced the old ones");
        // The first run's rows are kept, detached, for a rollback.
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_r{first.RunId}"));

        // A third run drops the first run's partition and keeps the second's: two generations at most.
        await connection.ExecuteAsync($"DROP TRIGGER fail_first_row ON scored.{name}");
        var third = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, third.Status);
        Assert.Null(await connection.ExecuteScalarAsync<string?>($"SELECT to_regclass('scored.{name}_r{first.RunId}')::text"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_r{second.RunId}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
    }

    [Fact]
    public async Task Keys_that_left_the_source_leave_with_their_run_and_a_rollback_brings_the_previous_run_back()
    {
        const string name = "by_run_left";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name));
        using var _ = host;
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        var firstScores = await ScoresAsync(connection, $"scored.{name}");
        var gone = await connection.ExecuteAsync($"DELETE FROM public.{name} WHERE customer_id % 10 = 3");
        await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = tenure_months + 24, support_calls = 0");

        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(Rows - gone, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_latest WHERE customer_id % 10 = 3"));

        var rollback = await CliAsync("runs", "rollback", second.RunId.ToString(CultureInfo.InvariantCulture));

        Assert.True(rollback.ExitCode == 0, rollback.Output);
        Assert.Contains($"shows the rows of run {first.RunId} again", rollback.Output, StringComparison.Ordinal);
        Assert.Equal([$"{name}_r{first.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(firstScores, await ScoresAsync(connection, $"scored.{name}_latest"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = first.RunId }));
        Assert.Null(await connection.ExecuteScalarAsync<string?>($"SELECT to_regclass('scored.{name}_r{second.RunId}')::text"));
        Assert.NotNull(await connection.ExecuteScalarAsync<DateTime?>("SELECT rolled_back_at FROM scoring.runs WHERE run_id = @run", new { run = second.RunId }));
        var show = await CliAsync("runs", "show", second.RunId.ToString(CultureInfo.InvariantCulture));
        Assert.Contains("rolled back", show.Output, StringComparison.Ordinal);

        var again = await CliAsync("runs", "rollback", second.RunId.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"Run {second.RunId} has no rows in scored.{name} to roll back", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_process_killed_while_writing_its_run_leaves_the_previous_run_readable_and_a_worker_finishes_the_run()
    {
        const string name = "by_run_killed";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name));
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        host.Dispose();
        var firstScores = await ScoresAsync(connection, $"scored.{name}_latest");
        await connection.ExecuteAsync($"""
            CREATE SEQUENCE by_run_killed_rows;
            CREATE OR REPLACE FUNCTION slow_first_row() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF nextval('by_run_killed_rows') = 1 THEN PERFORM pg_sleep(30); END IF; RETURN NULL; END $$;
            CREATE TRIGGER slow_first_row AFTER INSERT ON scored.{name} FOR EACH ROW EXECUTE FUNCTION slow_first_row();
            """);
        var environment = RerunJobs.ProcessEnvironment(env);

        using (var runnerProcess = Cli.Start(env.Folder, ["run", name], environment))
        {
            await RerunJobs.WaitForSleepingCopyAsync(connection, runnerProcess);
            Assert.Equal(firstScores, await ScoresAsync(connection, $"scored.{name}_latest"));
            runnerProcess.Kill();
        }
        Assert.Equal(firstScores, await ScoresAsync(connection, $"scored.{name}_latest"));
        // The killed run's other partitions may have committed into its own partition meanwhile; the first run's rows are all there.
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = first.RunId }));

        await connection.ExecuteAsync($"DROP TRIGGER slow_first_row ON scored.{name}");
        await connection.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()");
        var runId = await connection.ExecuteScalarAsync<long>("SELECT max(run_id) FROM scoring.runs WHERE job_name = @name", new { name });
        using var worker = Cli.Start(env.Folder, ["worker"], environment);
        var status = await RerunJobs.WaitForFinalizedAsync(connection, runId, worker);
        worker.Kill();
        Assert.Equal("succeeded", status);
        Assert.Equal([$"{name}_r{runId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @runId", new { runId }));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
    }

    [Fact]
    public async Task A_partially_failed_run_keeps_the_previous_run_attached_and_its_rollback_restores_only_that()
    {
        const string name = "by_run_partial";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name, maxAttempts: 1));
        using var _ = host;
        var oldest = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        // The run before the partial one replaced the oldest, which is kept detached.
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        // Writing the last key fails: its partition fails, the others commit.
        await connection.ExecuteAsync($"""
            CREATE FUNCTION fail_sevens() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.customer_id = {Rows} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NULL; END $$;
            CREATE TRIGGER fail_sevens AFTER INSERT ON scored.{name} FOR EACH ROW EXECUTE FUNCTION fail_sevens();
            """);

        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.PartiallyFailed, second.Status);
        var committed = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = second.RunId });
        Assert.InRange(committed, 1, Rows - 1);
        Assert.Equal(committed, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_latest WHERE run_id = @run", new { run = second.RunId }));
        Assert.Equal([$"{name}_r{first.RunId}", $"{name}_r{second.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_latest"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(DISTINCT customer_id) FROM scored.{name}_latest"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = first.RunId }));

        // Rolled back, the partial run leaves what readers saw before it: the run before, not the oldest one it never replaced.
        var rollback = await CliAsync("runs", "rollback", second.RunId.ToString(CultureInfo.InvariantCulture));

        Assert.True(rollback.ExitCode == 0, rollback.Output);
        Assert.Contains("it had replaced no earlier run", rollback.Output, StringComparison.Ordinal);
        Assert.Equal([$"{name}_r{first.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_r{oldest.RunId}"));
    }

    [Fact]
    public async Task A_job_that_leaves_replace_out_partitions_a_new_table_by_run_and_keeps_writing_an_existing_single_table_by_partition()
    {
        const string name = "by_run_default";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, RerunJobs.Job(name, "  mode: upsert"));
        using var _ = host;
        Assert.Equal(OutputReplace.Run, job.Output.Replace);

        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal([$"{name}_r{second.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = second.RunId }));

        // A table made as one table (by an earlier release, or for replace: partition) keeps being replaced by partition.
        const string plain = "by_run_default_plain";
        await using var plainConnection = await SourceAsync(plain);
        var (plainHost, plainRunner, partitionJob) = await PrepareAsync(plain, RerunJobs.Job(plain, "  replace: partition"));
        using var __ = plainHost;
        Assert.Equal(RunStatus.Succeeded, (await plainRunner.RunAsync(partitionJob, new RunRequest(RunTrigger.Manual), CancellationToken.None)).Status);
        env.WriteJob(plain, RerunJobs.Job(plain, "  mode: upsert"));
        var defaulted = JobSpecLoader.LoadByName(env.Folder, plain);
        var gone = await connection.ExecuteAsync($"DELETE FROM public.{plain} WHERE customer_id % 10 = 3");

        var rerun = await plainRunner.RunAsync(defaulted, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, rerun.Status);
        Assert.Equal("r", await connection.ExecuteScalarAsync<string>($"SELECT relkind::text FROM pg_class WHERE oid = 'scored.{plain}'::regclass"));
        Assert.Equal(Rows - gone, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{plain} WHERE run_id = @run", new { run = rerun.RunId }));
        Assert.Equal(Rows - gone, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{plain}"));
        var rollback = await CliAsync("runs", "rollback", rerun.RunId.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(2, rollback.ExitCode);
        Assert.Contains("does not write a table partitioned by run", rollback.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_single_table_is_refused_with_a_message_that_names_it_and_the_setting()
    {
        const string name = "by_run_plain";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name));
        using var _ = host;
        await connection.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS scored; CREATE TABLE scored.{name} (customer_id bigint PRIMARY KEY)");

        var outcome = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains($"Output table scored.{name} exists as one table, but output.replace: run", outcome.Error, StringComparison.Ordinal);
    }
}
