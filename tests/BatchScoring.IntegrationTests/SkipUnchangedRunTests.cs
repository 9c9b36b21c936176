using System.Globalization;
using System.Text.RegularExpressions;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.Training;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Execution;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// <c>output.skip_unchanged</c>: a re-run compares each source row's input fingerprint with the row already stored for
/// its key, and scores and writes only the rows that are new or changed.
/// </summary>
[Collection(NoConcurrentWriters.Name)]
public partial class SkipUnchangedRunTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    private const int Rows = RerunJobs.Rows;

    private Task<NpgsqlConnection> SourceAsync(string name) => RerunJobs.SourceAsync(env, name, seed: 31);

    private static string Job(string name, string model = "churn.zip", string replace = "partition")
        => RerunJobs.Job(name, $"  replace: {replace}\n  skip_unchanged: true", model);

    private async Task<(IHost Host, JobRunner Runner)> PrepareAsync(string name, string yaml)
    {
        var (host, runner, _) = await RerunJobs.PrepareAsync(env, name, yaml);
        return (host, runner);
    }

    private Task<RunOutcome> RunAsync(JobRunner runner, string name)
        => runner.RunAsync(JobSpecLoader.LoadByName(env.Folder, name), new RunRequest(RunTrigger.Manual), CancellationToken.None);

    /// <summary><c>batchscoring run</c> of the job in a process of its own, as a user runs it.</summary>
    private Task<(int ExitCode, string Output)> RunCliAsync(string name, params (string Name, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
            ["Jobs__Directory"] = env.Folder,
            ["Models__Directory"] = env.Folder,
            ["Observability__MetricsAddress"] = "",
        };
        foreach (var (setting, value) in settings)
            environment[setting] = value;
        return DemoCommandTests.RunCliAsync(env.Folder, ["run", name], environment);
    }

    private static async Task<Dictionary<long, (long RunId, DateTime ScoredAt, float Probability)>> RowsAsync(NpgsqlConnection connection, string name)
        => (await connection.QueryAsync<(long Key, long RunId, DateTime ScoredAt, float Probability)>(
                $"SELECT customer_id, run_id, scored_at, probability FROM scored.{name}"))
            .ToDictionary(r => r.Key, r => (r.RunId, r.ScoredAt, r.Probability));

    [Fact]
    public async Task Unchanged_rows_keep_their_run_and_scored_at_changed_and_nulled_rows_are_rewritten_once_and_counted_through_a_retry()
    {
        const string name = "skip_same";
        await using var connection = await SourceAsync(name);
        var (host, runner) = await PrepareAsync(name, Job(name));
        using var _ = host;
        var first = await RunAsync(runner, name);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal(0, first.RowsUnchanged);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE input_fingerprint IS NULL"));

        var changed = await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = coalesce(tenure_months, 0) + 7 WHERE customer_id % 10 = 1");
        var nulled = await connection.ExecuteAsync($"UPDATE public.{name} SET monthly_charges = NULL WHERE customer_id % 50 = 7 AND monthly_charges IS NOT NULL");
        // The re-run's first merge fails once, so one partition is retried: it must still write each changed key once.
        await connection.ExecuteAsync($"""
            CREATE SEQUENCE {name}_attempts;
            CREATE FUNCTION {name}_fail_first() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF nextval('{name}_attempts') = 1 THEN RAISE EXCEPTION 'injected failure of a first write'; END IF; RETURN NULL; END $$;
            CREATE TRIGGER {name}_fail_first AFTER INSERT ON scored.{name} FOR EACH STATEMENT EXECUTE FUNCTION {name}_fail_first();
            """);
        var before = await RowsAsync(connection, name);

        var (exitCode, output) = await RunCliAsync(name);

        Assert.True(exitCode == 0, output);
        var ledger = host.Services.GetRequiredService<RunLedger>();
        var second = (await ledger.ListAsync(name, null, 1, CancellationToken.None)).Single();
        Assert.Equal(RunStatus.Succeeded, second.Status);
        var unchanged = Rows - changed - nulled;
        Assert.Equal((Rows, changed + nulled, unchanged), (second.RowsRead, second.RowsScored, second.RowsUnchanged));
        var partitions = await ledger.PartitionsAsync(second.RunId, CancellationToken.None);
        Assert.Contains(partitions, p => p.Attempts == 2);
        Assert.Equal(unchanged, partitions.Sum(p => p.RowsUnchanged));
        Assert.Contains($"{unchanged:N0} unchanged", output);

        var after = await RowsAsync(connection, name);
        Assert.Equal(Rows, after.Count);
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(DISTINCT customer_id) FROM scored.{name}"));
        var rewritten = await connection.QueryAsync<long>(
            $"SELECT customer_id FROM public.{name} WHERE customer_id % 10 = 1 OR (customer_id % 50 = 7 AND monthly_charges IS NULL)");
        var rewrittenKeys = rewritten.ToHashSet();
        Assert.All(after, row =>
        {
            if (rewrittenKeys.Contains(row.Key))
                Assert.Equal(second.RunId, row.Value.RunId);
            else
                Assert.Equal(before[row.Key], row.Value);
        });

        var (showExit, show) = await DemoCommandTests.RunCliAsync(env.Folder, ["runs", "show", second.RunId.ToString(CultureInfo.InvariantCulture)], new()
        {
            ["ConnectionStrings__BatchScoring"] = env.ConnectionString,
        });
        Assert.Equal(0, showExit);
        Assert.Contains($"{changed + nulled:N0} scored, {unchanged:N0} unchanged", show);
    }

    /// <summary>
    /// The table is created with a free tenth on each page and no index on a column a rewrite changes, so a re-run's
    /// rewrites are HOT updates (the new version on the same page, no index entry). One key in twenty changes: each
    /// page's changed rows fit in its free tenth, so every update is HOT without waiting for old versions to be pruned.
    /// </summary>
    [Fact]
    public async Task Changed_rows_are_rewritten_as_hot_updates_on_their_own_page()
    {
        const string name = "skip_hot";
        await using var connection = await SourceAsync(name);
        var (host, runner) = await PrepareAsync(name, Job(name));
        using var _ = host;
        Assert.Equal(RunStatus.Succeeded, (await RunAsync(runner, name)).Status);
        Assert.Equal(["fillfactor=90"], await connection.ExecuteScalarAsync<string[]?>($"SELECT reloptions FROM pg_class WHERE oid = 'scored.{name}'::regclass") ?? []);
        Assert.Equal([$"{name}_pkey"], await connection.QueryAsync<string>($"SELECT relname FROM pg_class WHERE oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'scored.{name}'::regclass)"));
        var changed = await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = coalesce(tenure_months, 0) + 7 WHERE customer_id % 20 = 1");

        var second = await RunAsync(runner, name);

        Assert.Equal((RunStatus.Succeeded, (long)changed), (second.Status, second.RowsScored));
        // The run's backends flush their statistics when their transactions end, and those reach pg_stat_user_tables
        // asynchronously.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var counts = await UpdateCountsAsync(connection, name);
        while (counts.Updated < changed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            counts = await UpdateCountsAsync(connection, name);
        }
        Assert.Equal((changed, changed), (counts.Updated, counts.Hot));
    }

    private static async Task<(long Updated, long Hot)> UpdateCountsAsync(NpgsqlConnection connection, string name)
    {
        await connection.ExecuteAsync("SELECT pg_stat_clear_snapshot()");
        return await connection.QuerySingleAsync<(long, long)>(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = @table::regclass", new { table = $"scored.{name}" });
    }

    [Fact]
    public async Task A_new_model_version_rescores_every_row()
    {
        const string name = "skip_model";
        await using var connection = await SourceAsync(name);
        var training = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(3_000, seed: 5, firstKey: 800_000).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn, Trees: 5, Leaves: 4),
            Path.Combine(env.Folder, "churn_v2.zip"));
        var (host, runner) = await PrepareAsync(name, Job(name));
        using var _ = host;
        var first = await RunAsync(runner, name);
        var same = await RunAsync(runner, name);
        Assert.Equal((Rows, 0L), (same.RowsUnchanged, same.RowsScored));

        env.WriteJob(name, Job(name, model: "churn_v2.zip"));
        var other = await RunAsync(runner, name);

        Assert.Equal(RunStatus.Succeeded, other.Status);
        Assert.Equal((0L, (long)Rows), (other.RowsUnchanged, other.RowsScored));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = other.RunId }));
        Assert.NotEqual(first.RunId, other.RunId);
    }

    [Theory]
    [InlineData("partition")]
    [InlineData("key")]
    public async Task Keys_that_left_the_source_follow_output_replace_while_unchanged_rows_stay(string replace)
    {
        var name = "skip_left_" + replace;
        await using var connection = await SourceAsync(name);
        var (host, runner) = await PrepareAsync(name, Job(name, replace: replace));
        using var _ = host;
        var first = await RunAsync(runner, name);
        var gone = await connection.ExecuteAsync($"DELETE FROM public.{name} WHERE customer_id % 10 = 3");

        var second = await RunAsync(runner, name);

        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(Rows - gone, second.RowsUnchanged);
        Assert.Equal(replace == "partition" ? Rows - gone : Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.Equal(replace == "partition" ? Rows - gone : Rows,
            await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = first.RunId }));
    }

    [Fact]
    public async Task Unchanged_rows_reach_the_drift_sketch_with_their_stored_scores()
    {
        const string name = "skip_drift";
        await using var connection = await SourceAsync(name);
        var job = Job(name).Replace("  key_columns: [customer_id]", "  key_columns: [customer_id]\n  timestamp_column: event_time") + """

            drift:
              reference:
                window: {start: "2026-09-01T00:00:00Z", end: "2026-09-15T00:00:00Z"}
            """;
        var (host, runner) = await PrepareAsync(name, job);
        using var _ = host;
        var first = await RunAsync(runner, name);
        var second = await RunAsync(runner, name);

        Assert.Equal((RunStatus.Succeeded, (long)Rows, 0L), (second.Status, second.RowsUnchanged, second.RowsScored));
        Assert.Equal("reported", await connection.ExecuteScalarAsync<string>("SELECT drift_status FROM scoring.runs WHERE run_id = @run", new { run = second.RunId }));
        Assert.Equal((long)Rows, await connection.ExecuteScalarAsync<long>("SELECT n_cur FROM scoring.drift_runs WHERE run_id = @run", new { run = second.RunId }));
        // The same rows with the same scores: every feature's histogram, outputs included, is the first run's.
        const string bins = "SELECT feature, bins::text FROM scoring.drift_features WHERE run_id = @run ORDER BY feature";
        var expected = (await connection.QueryAsync<(string, string)>(bins, new { run = first.RunId })).ToList();
        Assert.Contains(expected, f => f.Item1 == "probability");
        Assert.Equal(expected, (await connection.QueryAsync<(string, string)>(bins, new { run = second.RunId })).ToList());
    }

    private static Task<(long Partitions, long Rows)> KeptAsync(NpgsqlConnection connection, string name)
        => connection.QuerySingleAsync<(long, long)>(
            $"SELECT count(*), coalesce(sum(row_count), 0)::bigint FROM scoring.kept_fingerprints WHERE output_table = 'scored.{name}'::regclass");

    [Fact]
    public async Task Each_partition_keeps_its_fingerprints_and_a_re_run_trusts_them_only_while_nothing_else_changed_the_table()
    {
        const string name = "skip_kept";
        await using var connection = await SourceAsync(name);
        var (host, runner) = await PrepareAsync(name, Job(name));
        using var _ = host;
        await RunAsync(runner, name);
        Assert.Equal((4L, (long)Rows), await KeptAsync(connection, name));
        const string written = "SELECT array_agg(written_at ORDER BY key_from NULLS FIRST)::text FROM scoring.kept_fingerprints WHERE output_table = 'scored.skip_kept'::regclass";
        var keptAt = await connection.ExecuteScalarAsync<string>(written);

        var same = await RunAsync(runner, name);
        Assert.Equal((Rows, 0L), (same.RowsUnchanged, same.RowsScored));
        Assert.Equal(keptAt, await connection.ExecuteScalarAsync<string>(written));

        // An admin deletes rows: the table's generation moves on, the kept fingerprints no longer count, and the re-run
        // reads the table's rows, so the deleted keys are scored and written again.
        var deleted = await connection.ExecuteAsync($"DELETE FROM scored.{name} WHERE customer_id % 10 = 5");
        var after = await RunAsync(runner, name);

        Assert.Equal((RunStatus.Succeeded, (long)deleted, (long)(Rows - deleted)), (after.Status, after.RowsScored, after.RowsUnchanged));
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name}"));
        Assert.Equal((4L, (long)Rows), await KeptAsync(connection, name));
        var again = await RunAsync(runner, name);
        Assert.Equal((Rows, 0L), (again.RowsUnchanged, again.RowsScored));

        // A table dropped and created again by the next run leaves nothing kept behind under its old oid.
        var oldTable = await connection.ExecuteScalarAsync<long>($"SELECT 'scored.{name}'::regclass::oid::bigint");
        await connection.ExecuteAsync($"DROP TABLE scored.{name} CASCADE");
        Assert.Equal(RunStatus.Succeeded, (await RunAsync(runner, name)).Status);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scoring.kept_fingerprints WHERE output_table = @oldTable::oid", new { oldTable }));
        Assert.Equal((4L, (long)Rows), await KeptAsync(connection, name));
    }

    [Fact]
    public async Task Kept_fingerprints_stay_out_of_the_wal_and_a_crash_that_empties_them_costs_one_read_of_the_table()
    {
        const string name = "skip_unlogged";
        await using var connection = await SourceAsync(name);
        var (host, runner) = await PrepareAsync(name, Job(name));
        using var _ = host;
        await RunAsync(runner, name);
        Assert.Equal("u", await connection.ExecuteScalarAsync<string>("SELECT relpersistence::text FROM pg_class WHERE oid = 'scoring.kept_fingerprints'::regclass"));

        // Crash recovery empties an unlogged table (here only this table's part, as other tests run beside): the re-run
        // then compares the table's own rows, skips them all, and keeps them again.
        await connection.ExecuteAsync($"DELETE FROM scoring.kept_fingerprints WHERE output_table = 'scored.{name}'::regclass");
        var after = await RunAsync(runner, name);

        Assert.Equal((RunStatus.Succeeded, 0L, (long)Rows), (after.Status, after.RowsScored, after.RowsUnchanged));
        Assert.Equal((4L, (long)Rows), await KeptAsync(connection, name));
    }

    [Fact]
    public async Task A_partition_drops_what_partitions_of_another_key_split_kept_for_its_keys()
    {
        const string name = "skip_resplit";
        await using var connection = await SourceAsync(name);
        var (host, runner) = await PrepareAsync(name, Job(name));
        using var _ = host;
        await RunAsync(runner, name);
        var changed = await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = coalesce(tenure_months, 0) + 7 WHERE customer_id % 10 = 1");
        env.WriteJob(name, Job(name).Replace("buckets: 4", "buckets: 3", StringComparison.Ordinal));
        var threeRanges = await RunAsync(runner, name);
        Assert.Equal((long)changed, threeRanges.RowsScored);
        Assert.Equal((3L, (long)Rows), await KeptAsync(connection, name));

        // Back to the first values and the first four ranges: what those ranges kept after the first run would call the
        // rows unchanged, but the table holds the scores of the changed values.
        await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = tenure_months - 7 WHERE customer_id % 10 = 1");
        env.WriteJob(name, Job(name));
        var fourRanges = await RunAsync(runner, name);

        Assert.Equal((RunStatus.Succeeded, (long)changed), (fourRanges.Status, fourRanges.RowsScored));
        Assert.Equal(changed, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM scored.{name} WHERE run_id = @run", new { run = fourRanges.RunId }));
    }

    /// <summary>
    /// A table source tells which rows were written since the read that the kept fingerprints came from (their
    /// <c>xmin</c>): a re-run reads every key but only those rows, plus the keys that were not kept. Updated, touched
    /// (rewritten with the same values), deleted and inserted rows all come out as a full read would make them.
    /// </summary>
    [Fact]
    public async Task A_re_run_of_a_table_reads_its_keys_and_only_the_rows_written_since_the_last_run()
    {
        const string name = "skip_since";
        await using var connection = await SourceAsync(name);
        // Keys left free for rows inserted later, inside the key ranges the first run plans.
        var gap = await connection.ExecuteAsync($"DELETE FROM public.{name} WHERE customer_id % 100 = 4");
        var (host, runner) = await PrepareAsync(name, Job(name));
        using var _ = host;
        var first = await RunAsync(runner, name);
        Assert.Equal(RunStatus.Succeeded, first.Status);

        var updated = await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = coalesce(tenure_months, 0) + 7 WHERE customer_id % 100 = 1");
        var touched = await connection.ExecuteAsync($"UPDATE public.{name} SET tenure_months = tenure_months WHERE customer_id % 100 = 2");
        var deleted = await connection.ExecuteAsync($"DELETE FROM public.{name} WHERE customer_id % 100 = 3");
        await connection.ExecuteAsync($"CREATE TEMP TABLE {name}_new AS SELECT * FROM public.{name} WHERE customer_id % 100 = 5; UPDATE {name}_new SET customer_id = customer_id - 1");
        var inserted = await connection.ExecuteAsync($"INSERT INTO public.{name} SELECT * FROM {name}_new");
        var before = await RowsAsync(connection, name);

        var (exitCode, output) = await RunCliAsync(name, ("Serilog__MinimumLevel__Override__BatchScoring.Worker.Execution.PartitionExecutor", "Debug"));

        Assert.True(exitCode == 0, output);
        var second = (await host.Services.GetRequiredService<RunLedger>().ListAsync(name, null, 1, CancellationToken.None)).Single();
        var rows = Rows - gap - deleted + inserted;
        Assert.Equal((RunStatus.Succeeded, (long)rows, (long)(updated + inserted), (long)(rows - updated - inserted)),
            (second.Status, second.RowsRead, second.RowsScored, second.RowsUnchanged));
        var reads = ReadChangedLine().Matches(output).Select(m => (Keys: long.Parse(m.Groups["keys"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
            Rows: long.Parse(m.Groups["rows"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture))).ToList();
        Assert.True(reads.Count == 4, output);
        Assert.Equal((rows, (long)(updated + touched + inserted)), (reads.Sum(r => r.Keys), reads.Sum(r => r.Rows)));

        var after = await RowsAsync(connection, name);
        Assert.Equal(rows, after.Count);
        Assert.All(after, row =>
        {
            if (row.Key % 100 is 1 or 4)
                Assert.Equal(second.RunId, row.Value.RunId);
            else
                Assert.Equal(before[row.Key], row.Value);
        });
        Assert.DoesNotContain(after.Keys, key => key % 100 == 3);

        // Nothing written since: the next run reads the keys and no row.
        var third = await RunAsync(runner, name);
        Assert.Equal((RunStatus.Succeeded, (long)rows, 0L), (third.Status, third.RowsUnchanged, third.RowsScored));
    }

    [GeneratedRegex(@"read (?<keys>[\d,]+) keys and (?<rows>[\d,]+) rows: those written since")]
    private static partial Regex ReadChangedLine();
}
