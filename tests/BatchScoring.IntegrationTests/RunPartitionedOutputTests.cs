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
/// <c>output.replace: run</c>: the output table is partitioned by run, each run COPYs into a table of its own, a succeeded
/// run's table is attached as the earlier runs' partitions are detached (kept for <c>runs rollback</c>), and readers see
/// one run, one row per key.
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

    /// <summary>
    /// A trigger on the ledger that runs <paramref name="action"/> when a partition of the job is marked succeeded, which
    /// happens in the transaction that writes its rows: a run's rows go into a table of its own, attached to the output
    /// table only when the run succeeds, so a trigger on the output table would not see them.
    /// </summary>
    private static async Task OnCommitAsync(NpgsqlConnection connection, string job, string action) => await connection.ExecuteAsync($"""
        CREATE OR REPLACE FUNCTION {job}_on_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.status = 'succeeded' AND (SELECT job_name FROM scoring.runs WHERE run_id = NEW.run_id) = '{job}' THEN {action} END IF;
                RETURN NEW;
            END $$;
        CREATE TRIGGER {job}_on_commit BEFORE UPDATE ON scoring.partitions FOR EACH ROW EXECUTE FUNCTION {job}_on_commit();
        """);

    private static async Task DropOnCommitAsync(NpgsqlConnection connection, string job) => await connection.ExecuteAsync($"DROP TRIGGER {job}_on_commit ON scoring.partitions");

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

        // The second run sees other feature values, so other scores; its first partition commit fails once (a sequence
        // survives the rollback), so one partition is retried.
        await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = tenure_months + 24, support_calls = 0");
        await connection.ExecuteAsync("CREATE SEQUENCE by_run_attempts");
        await OnCommitAsync(connection, name, "IF nextval('by_run_attempts') = 1 THEN RAISE EXCEPTION 'injected failure of a first commit'; END IF;");
        var before = await ScoresAsync(connection, $"scored.{name}");

        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, second.Status);
        var partitions = await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(second.RunId, CancellationToken.None);
        Assert.Contains(partitions, p => p.Attempts == 2);
        // The second run's partition took the first's place in one transaction: the table holds the second run's rows only, one per key.
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
        await DropOnCommitAsync(connection, name);
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
        await connection.ExecuteAsync("CREATE SEQUENCE by_run_killed_commits");
        await OnCommitAsync(connection, name, "IF nextval('by_run_killed_commits') = 1 THEN PERFORM pg_sleep(30); END IF;");
        var environment = RerunJobs.ProcessEnvironment(env);

        using (var runnerProcess = Cli.Start(env.Folder, ["run", name], environment))
        {
            await RerunJobs.WaitForSleepingWriteAsync(connection, runnerProcess, "UPDATE scoring.partitions");
            Assert.Equal(firstScores, await ScoresAsync(connection, $"scored.{name}"));
            runnerProcess.Kill();
        }
        // The killed run's other partitions may have committed into its own table meanwhile; readers of the table and of
        // the view see the first run's rows only, one per key.
        Assert.Equal(firstScores, await ScoresAsync(connection, $"scored.{name}_latest"));
        Assert.Equal(firstScores, await ScoresAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = first.RunId }));

        await DropOnCommitAsync(connection, name);
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
    public async Task A_partially_failed_run_leaves_readers_the_previous_run_and_its_rollback_restores_only_that()
    {
        const string name = "by_run_partial";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name, maxAttempts: 1));
        using var _ = host;
        var oldest = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        // The run before the partial one replaced the oldest, which is kept detached.
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        // The commit of the partition with the last key fails: that partition fails, the others commit.
        await OnCommitAsync(connection, name, $"IF NEW.key_to IS NULL OR NEW.key_to > {Rows} THEN RAISE EXCEPTION 'injected failure'; END IF;");

        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        await DropOnCommitAsync(connection, name);
        Assert.Equal(RunStatus.PartiallyFailed, second.Status);
        // Its committed partitions are in its own table, which readers do not see: they see the run before, whole.
        var committed = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_r{second.RunId}");
        Assert.InRange(committed, 1, Rows - 1);
        Assert.Equal([$"{name}_r{first.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_latest WHERE run_id = @run", new { run = first.RunId }));

        // Rolled back, the partial run leaves what readers saw before it: the run before, not the oldest one it never replaced.
        var rollback = await CliAsync("runs", "rollback", second.RunId.ToString(CultureInfo.InvariantCulture));

        Assert.True(rollback.ExitCode == 0, rollback.Output);
        Assert.Contains("it had replaced no earlier run", rollback.Output, StringComparison.Ordinal);
        Assert.Equal([$"{name}_r{first.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_r{oldest.RunId}"));

        // A later partly failed run that readers never saw does not stand in the way of rolling back the one they see.
        await OnCommitAsync(connection, name, $"IF NEW.key_to IS NULL OR NEW.key_to > {Rows} THEN RAISE EXCEPTION 'injected failure'; END IF;");
        var third = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        await DropOnCommitAsync(connection, name);
        Assert.Equal(RunStatus.PartiallyFailed, third.Status);

        var past = await CliAsync("runs", "rollback", first.RunId.ToString(CultureInfo.InvariantCulture));

        Assert.True(past.ExitCode == 0, past.Output);
        Assert.Contains($"shows the rows of run {oldest.RunId} again", past.Output, StringComparison.Ordinal);
        Assert.Equal([$"{name}_r{oldest.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
    }

    [Fact]
    public async Task A_reader_holding_the_table_past_the_lock_timeout_gets_the_new_run_beside_the_old_and_the_next_run_detaches_both()
    {
        const string name = "by_run_held";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name));
        using var _ = host;
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = tenure_months + 24, support_calls = 0");

        RunOutcome second;
        await using (var reader = await env.DataSource.OpenConnectionAsync())
        await using (var transaction = await reader.BeginTransactionAsync())
        {
            await reader.ExecuteAsync($"SELECT count(*) FROM scored.{name}", transaction: transaction);
            second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        }

        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal([$"{name}_r{first.RunId}", $"{name}_r{second.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}_latest WHERE run_id = @run", new { run = second.RunId }));

        var third = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, third.Status);
        Assert.Equal([$"{name}_r{third.RunId}"], await PartitionsOfAsync(connection, $"scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
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
