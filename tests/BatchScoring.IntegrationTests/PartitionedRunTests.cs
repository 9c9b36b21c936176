using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.IntegrationTests;

public class PartitionedRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private static readonly TimeWindow WholeData = new(new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 10, 13, 0, 0, 0, DateTimeKind.Utc));

    private static string Job(string name, string table, string output, string extra = "", string replace = "partition") => $"""
        name: {name}
        source:
          table: {table}
          key_columns: [customer_id]
          timestamp_column: event_time
        partitioning:
          grain: 7d
          buckets: 2
        model:
          path: churn.zip
        output:
          table: {output}
          passthrough: [event_time]
          replace: {replace}
        retries:
          max_attempts: 3
          backoff: 1s
          max_backoff: 2s
        {extra}
        """;

    private async Task<(IHost Host, JobRunner Runner, JobSpec Job)> PrepareAsync(string name, string yaml)
    {
        env.WriteJob(name, yaml);
        var host = await env.HostAsync();
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        return (host, host.Services.GetRequiredService<JobRunner>(), JobSpecLoader.LoadByName(env.Folder, name));
    }

    [Fact]
    public async Task A_first_backfill_writes_directly_and_a_key_met_again_in_a_later_partition_falls_back_to_merging()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        // 200 customers appear in two weeks, so two partitions of the run hold the same output key.
        await connection.ExecuteAsync("""
            CREATE TABLE public.repeats AS SELECT * FROM public.customers;
            INSERT INTO public.repeats SELECT * FROM public.customers WHERE event_time < '2026-09-08' ORDER BY customer_id LIMIT 200;
            UPDATE public.repeats SET event_time = event_time + interval '14 days'
            WHERE ctid IN (SELECT max(ctid) FROM public.repeats GROUP BY customer_id HAVING count(*) > 1);
            """);
        // The (empty) output table logs how each statement wrote into it: COPY (direct) or INSERT (a merge from staging).
        await connection.ExecuteAsync("""
            CREATE SCHEMA IF NOT EXISTS scored;
            CREATE TABLE scored.repeats (customer_id bigint PRIMARY KEY, event_time timestamptz, score real, probability real,
                predicted_label boolean, model_version text NOT NULL, run_id bigint NOT NULL, partition_id bigint NOT NULL, scored_at timestamptz NOT NULL);
            CREATE TABLE public.repeats_writes (id serial, verb text);
            CREATE FUNCTION log_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO public.repeats_writes (verb) VALUES (upper(split_part(ltrim(current_query()), ' ', 1))); RETURN NULL; END $$;
            CREATE TRIGGER log_write AFTER INSERT ON scored.repeats FOR EACH STATEMENT EXECUTE FUNCTION log_write();
            """);
        async Task<string[]> WritesSinceAsync(int id) => (await connection.QueryAsync<string>(
            "SELECT verb FROM public.repeats_writes WHERE id > @id ORDER BY id", new { id })).ToArray();
        var (host, runner, job) = await PrepareAsync("repeats", Job("repeats", "public.repeats", "scored.repeats", replace: "key"));
        using var _ = host;

        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Backfill, WholeData), CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        var distinct = await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT customer_id) FROM public.repeats");
        Assert.Equal(distinct, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.repeats"));
        // The partition that met the keys again was scored a second time by merging, within its first attempt.
        var partitions = await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(first.RunId, CancellationToken.None);
        Assert.All(partitions, p => Assert.Equal(1, p.Attempts));
        var firstWrites = await WritesSinceAsync(0);
        Assert.Equal("COPY", firstWrites[0]);
        Assert.Contains("INSERT", firstWrites);

        // The table is no longer empty: the next run (replace: key) merges from the start, and replaces every row.
        var logged = await connection.ExecuteScalarAsync<int>("SELECT max(id) FROM public.repeats_writes");
        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Backfill, WholeData), CancellationToken.None);
        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(distinct, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.repeats WHERE run_id = @run", new { run = second.RunId }));
        Assert.All(await WritesSinceAsync(logged), verb => Assert.Equal("INSERT", verb));
    }

    [Fact]
    public async Task A_flaky_partition_succeeds_on_its_third_attempt_and_a_broken_one_makes_the_run_partially_failed()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        var (host, runner, job) = await PrepareAsync("flaky", Job("flaky", "public.customers", "scored.flaky"));
        using var _ = host;
        // The output table exists before the run; a trigger fails partitions: the one holding one
        // customer of the second week twice (then it recovers), those of the fourth week always.
        var flakyKey = await connection.ExecuteScalarAsync<long>(
            "SELECT min(customer_id) FROM public.customers WHERE event_time >= '2026-09-08' AND event_time < '2026-09-15'");
        await connection.ExecuteAsync("""
            CREATE SCHEMA IF NOT EXISTS scored;
            CREATE TABLE scored.flaky (customer_id bigint PRIMARY KEY, event_time timestamptz, score real, probability real,
                predicted_label boolean, model_version text NOT NULL, run_id bigint NOT NULL, partition_id bigint NOT NULL, scored_at timestamptz NOT NULL);
            CREATE SEQUENCE flaky_failures;
            CREATE FUNCTION fail_some() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.customer_id = FLAKY_KEY THEN
                    IF nextval('flaky_failures') <= 2 THEN RAISE EXCEPTION 'flaky failure'; END IF;
                END IF;
                IF NEW.event_time >= '2026-09-22' AND NEW.event_time < '2026-09-29' AND NEW.customer_id % 2 = 0 THEN
                    RAISE EXCEPTION 'broken partition';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER fail_some BEFORE INSERT ON scored.flaky FOR EACH ROW EXECUTE FUNCTION fail_some();
            """.Replace("FLAKY_KEY", flakyKey.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var outcome = await runner.RunAsync(job, new RunRequest(RunTrigger.Backfill, WholeData), CancellationToken.None);

        Assert.Equal(RunStatus.PartiallyFailed, outcome.Status);
        var partitions = await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(outcome.RunId, CancellationToken.None);
        var flaky = partitions.Where(p => p.PartitionKey.StartsWith("2026-09-08", StringComparison.Ordinal)).ToArray();
        Assert.Contains(flaky, p => p.Attempts == 3 && p.Status == "succeeded");
        var broken = partitions.Where(p => p.PartitionKey.StartsWith("2026-09-22", StringComparison.Ordinal) && p.Status == "failed").ToArray();
        Assert.NotEmpty(broken);
        Assert.All(broken, p => Assert.Equal(3, p.Attempts));
        Assert.All(broken, p => Assert.Contains("broken partition", p.LastError));
        Assert.All(partitions.Except(broken), p => Assert.True(p.Status == "succeeded", $"{p.PartitionKey}: {p.Status} after {p.Attempts}: {p.LastError}"));
        Assert.Contains("broken partition", outcome.Error);

        var (exitCode, output) = await DemoCommandTests.RunCliAsync(env.Folder, ["runs", "show", outcome.RunId.ToString()], new()
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        });
        Assert.Equal(0, exitCode);
        Assert.Contains("partially_failed", output);
        Assert.Contains("broken partition", output);

        // Every row outside the broken partitions is there exactly once.
        var expected = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM public.customers WHERE NOT (event_time >= '2026-09-22' AND event_time < '2026-09-29')");
        var failedRows = partitions.Where(p => p.Status == "failed").Sum(p => p.EstimatedRows ?? 0);
        Assert.InRange(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.flaky"), expected, ScoringEnvironment.SourceRows - failedRows / 2);
    }

    [Fact]
    public async Task Poison_rows_go_to_dead_letters_and_every_other_row_is_scored()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE public.poisoned AS SELECT * FROM public.customers;
            ALTER TABLE public.poisoned ADD PRIMARY KEY (customer_id);
            UPDATE public.poisoned SET monthly_charges = 'Infinity' WHERE customer_id IN (5, 77, 1234, 5000);
            UPDATE public.poisoned SET avg_session_minutes = '-Infinity' WHERE customer_id IN (9000, 12000);
            """);
        var (host, runner, job) = await PrepareAsync("poisoned", Job("poisoned", "public.poisoned", "scored.poisoned"));
        using var _ = host;

        var outcome = await runner.RunAsync(job, RunTrigger.Manual, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(ScoringEnvironment.SourceRows - 6, outcome.RowsScored);
        Assert.Equal(6, outcome.RowsFailed);
        var letters = (await connection.QueryAsync<(string Key, string Column, string Stage, string Reason)>(
            "SELECT row_key, column_name, stage, reason FROM scoring.dead_letters WHERE run_id = @RunId ORDER BY row_key::bigint", new { outcome.RunId })).ToList();
        Assert.Equal(["5", "77", "1234", "5000", "9000", "12000"], letters.Select(l => l.Key));
        Assert.Equal(["monthly_charges", "monthly_charges", "monthly_charges", "monthly_charges", "avg_session_minutes", "avg_session_minutes"], letters.Select(l => l.Column));
        Assert.All(letters, l => Assert.Contains("not a valid model input", l.Reason));
        Assert.Equal(ScoringEnvironment.SourceRows - 6, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.poisoned"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.poisoned WHERE customer_id IN (5, 77, 1234, 5000, 9000, 12000)"));
    }

    [Fact]
    public async Task Too_many_bad_rows_fail_the_partition_without_writing_it()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE public.mostly_bad AS SELECT * FROM public.customers;
            UPDATE public.mostly_bad SET monthly_charges = 'Infinity' WHERE customer_id % 10 = 0;
            """);
        var (host, runner, job) = await PrepareAsync("mostly-bad",
            Job("mostly-bad", "public.mostly_bad", "scored.mostly_bad", "errors:\n  max_failed_rows: 100000\n  max_failed_percent: 5"));
        using var _ = host;

        var outcome = await runner.RunAsync(job, RunTrigger.Manual, CancellationToken.None);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Contains("more than the job's errors thresholds allow", outcome.Error);
        var partitions = await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(outcome.RunId, CancellationToken.None);
        Assert.All(partitions, p => Assert.Equal(1, p.Attempts));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.mostly_bad"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scoring.dead_letters WHERE run_id = @RunId", new { outcome.RunId }));
    }

    [Fact]
    public async Task A_backfill_rerun_with_reprocess_all_leaves_the_same_rows_and_missing_finds_nothing_to_do()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        var (host, runner, job) = await PrepareAsync("backfill", Job("backfill", "public.customers", "scored.backfill"));
        using var _ = host;

        var plan = await runner.DryRunAsync(job, new RunRequest(RunTrigger.Backfill, WholeData), CancellationToken.None);
        Assert.Equal(12, plan.Count);
        Assert.Equal(ScoringEnvironment.SourceRows, plan.Sum(p => p.EstimatedRows ?? 0), 12.0);

        var first = await runner.RunAsync(job, new RunRequest(RunTrigger.Backfill, WholeData, ReprocessMode.All), CancellationToken.None);
        var second = await runner.RunAsync(job, new RunRequest(RunTrigger.Backfill, WholeData, ReprocessMode.All), CancellationToken.None);
        var third = await runner.RunAsync(job, new RunRequest(RunTrigger.Backfill, WholeData, ReprocessMode.Missing), CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(ScoringEnvironment.SourceRows, second.RowsScored);
        Assert.Equal(ScoringEnvironment.SourceRows, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT customer_id) FROM scored.backfill"));
        Assert.Equal(ScoringEnvironment.SourceRows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.backfill"));
        Assert.Equal(second.RunId, await connection.ExecuteScalarAsync<long>("SELECT DISTINCT run_id FROM scored.backfill"));
        // Lineage: every row names its job and the start of the time slice its partition read.
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM scored.backfill o JOIN scoring.partitions p USING (partition_id)
            WHERE o.job_name IS DISTINCT FROM 'backfill' OR o.window_start IS DISTINCT FROM p.window_start OR o.window_start IS NULL
            """));
        Assert.Equal(RunStatus.Succeeded, third.Status);
        Assert.Equal(0, third.RowsScored);
    }

    [Fact]
    public async Task Append_mode_keeps_every_run_and_a_retry_of_a_succeeded_run_changes_nothing()
    {
        await using var connection = await env.DataSource.OpenConnectionAsync();
        var yaml = Job("append", "public.customers", "scored.appended").Replace("  replace: partition\n", "", StringComparison.Ordinal).Replace("  passthrough: [event_time]", "  passthrough: [event_time]\n  mode: append");
        var (host, runner, job) = await PrepareAsync("append", yaml);
        using var _ = host;

        var first = await runner.RunAsync(job, RunTrigger.Manual, CancellationToken.None);
        var second = await runner.RunAsync(job, RunTrigger.Manual, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<BatchScoringException>(() => runner.RetryAsync(second.RunId, CancellationToken.None));

        Assert.Contains("nothing to retry", refused.Message);
        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(2L * ScoringEnvironment.SourceRows, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.appended"));
        Assert.Equal(ScoringEnvironment.SourceRows, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM scored.appended WHERE run_id = @RunId", new { first.RunId }));
    }
}
