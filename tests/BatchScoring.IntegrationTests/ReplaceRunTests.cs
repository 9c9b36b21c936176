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
/// Re-runs of an upsert job over keys already in the output table: <c>output.replace: partition</c> deletes each
/// key-range partition's rows and COPYs the new ones in the partition's transaction; <c>replace: key</c> merges per key.
/// </summary>
public class ReplaceRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private const int Rows = RerunJobs.Rows;

    private Task<NpgsqlConnection> SourceAsync(string name) => RerunJobs.SourceAsync(env, name, seed: 17);

    private static string Job(string name, string replace = "partition") => RerunJobs.Job(name, $"  replace: {replace}");

    private Task<(IHost Host, JobRunner Runner, JobSpec Job)> PrepareAsync(string name, string yaml) => RerunJobs.PrepareAsync(env, name, yaml);

    /// <summary>Logs the verb of every statement that inserts into the table (COPY on the direct and replace paths, INSERT when merging).</summary>
    private static Task<int> LogWritesAsync(NpgsqlConnection connection, string table) => connection.ExecuteAsync($"""
        CREATE TABLE IF NOT EXISTS public.replace_writes (id serial, tab text, verb text);
        CREATE OR REPLACE FUNCTION log_replace_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO public.replace_writes (tab, verb) VALUES (TG_TABLE_NAME, upper(split_part(ltrim(current_query()), ' ', 1))); RETURN NULL; END $$;
        CREATE TRIGGER log_replace_write AFTER INSERT ON {table} FOR EACH STATEMENT EXECUTE FUNCTION log_replace_write();
        """);

    private static async Task<string[]> WritesAsync(NpgsqlConnection connection, string table)
        => (await connection.QueryAsync<string>("SELECT verb FROM public.replace_writes WHERE tab = @table ORDER BY id", new { table })).ToArray();

    [Fact]
    public async Task A_rerun_and_a_retried_partition_replace_every_key_once_with_the_new_runs_values_by_copy()
    {
        await using var connection = await SourceAsync("replaced");
        var (host, runner, job) = await PrepareAsync("replaced", Job("replaced"));
        using var _ = host;
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, first.Status);

        // The second run sees other feature values, so other scores; its first write attempt fails once (a sequence
        // survives the rollback), so one partition is retried through the replace path.
        await connection.ExecuteAsync("UPDATE public.replaced SET tenure_months = tenure_months + 24, support_calls = 0");
        await LogWritesAsync(connection, "scored.replaced");
        await connection.ExecuteAsync("""
            CREATE SEQUENCE replaced_attempts;
            CREATE FUNCTION fail_first_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF nextval('replaced_attempts') = 1 THEN RAISE EXCEPTION 'injected failure of a first write'; END IF; RETURN NULL; END $$;
            CREATE TRIGGER fail_first_write AFTER INSERT ON scored.replaced FOR EACH STATEMENT EXECUTE FUNCTION fail_first_write();
            """);
        var before = (await connection.QueryAsync<(long, float)>("SELECT customer_id, probability FROM scored.replaced")).ToDictionary(r => r.Item1, r => r.Item2);

        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, second.Status);
        var partitions = await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(second.RunId, CancellationToken.None);
        Assert.Equal(4, partitions.Count);
        Assert.Contains(partitions, p => p.Attempts == 2);
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.replaced"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT customer_id) FROM scored.replaced"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.replaced WHERE run_id = @run AND job_name = 'replaced'", new { run = second.RunId }));
        var after = (await connection.QueryAsync<(long, float)>("SELECT customer_id, probability FROM scored.replaced")).ToDictionary(r => r.Item1, r => r.Item2);
        Assert.True(after.Count(a => a.Value != before[a.Key]) > Rows / 10, "the new run's scores replaced the old ones");
        // Every write of the re-run was a COPY into the table (the failed attempt's, rolled back, logged nothing).
        Assert.Equal(["COPY", "COPY", "COPY", "COPY"], await WritesAsync(connection, "replaced"));
    }

    [Theory]
    [InlineData("partition")]
    [InlineData("key")]
    public async Task Keys_that_left_the_source_leave_with_their_partition_or_keep_their_row_per_key(string replace)
    {
        var name = "left_" + replace;
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name, replace));
        using var _ = host;
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        await LogWritesAsync(connection, $"scored.{name}");
        var gone = await connection.ExecuteAsync($"DELETE FROM public.{name} WHERE customer_id % 10 = 3");

        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(Rows - gone, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = second.RunId }));
        var kept = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE customer_id % 10 = 3 AND run_id = @run", new { run = first.RunId });
        Assert.Equal(replace == "partition" ? 0 : gone, kept);
        Assert.Equal(replace == "partition" ? Rows - gone : Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.All(await WritesAsync(connection, name), verb => Assert.Equal(replace == "partition" ? "COPY" : "INSERT", verb));
    }

    [Fact]
    public async Task A_process_killed_while_replacing_a_partition_leaves_the_old_rows_readable_and_a_worker_finishes_the_run()
    {
        const string name = "replace_killed";
        await using var connection = await SourceAsync(name);
        var (host, runner, job) = await PrepareAsync(name, Job(name));
        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Manual), CancellationToken.None);
        host.Dispose();
        await connection.ExecuteAsync($"""
            CREATE OR REPLACE FUNCTION slow_replace() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$;
            CREATE TRIGGER slow_replace AFTER INSERT ON scored.{name} FOR EACH STATEMENT EXECUTE FUNCTION slow_replace();
            """);
        var environment = RerunJobs.ProcessEnvironment(env);
        async Task<long> OldRowsAsync() => await connection.ExecuteScalarAsync<long>(
            $"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = first.RunId });

        using (var runnerProcess = Cli.Start(env.Folder, ["run", name], environment))
        {
            // The partition deleted its key range and copied its rows, and sits in the trigger before its commit.
            await RerunJobs.WaitForSleepingWriteAsync(connection, runnerProcess);
            Assert.Equal(Rows, await OldRowsAsync());
            runnerProcess.Kill();
        }
        Assert.Equal(Rows, await OldRowsAsync());

        await connection.ExecuteAsync($"DROP TRIGGER slow_replace ON scored.{name}");
        var runId = await connection.ExecuteScalarAsync<long>("SELECT max(run_id) FROM scoring.runs WHERE job_name = @name", new { name });
        using var worker = Cli.Start(env.Folder, ["worker"], environment);
        var status = await RerunJobs.WaitForFinalizedAsync(connection, runId, worker);
        worker.Kill();
        Assert.Equal("succeeded", status);
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(DISTINCT customer_id) FROM scored.{name}"));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @runId", new { runId }));
    }
}
