using Dapper;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// <c>output.skip_unchanged</c> (issue 18): on a fresh copy of the bench source, a first run into an empty table, a
/// re-run after 10 % of the rows changed a feature, and a re-run with nothing changed; <see cref="Cycles"/> such cycles
/// in one host, each re-run's time against its own cycle's first run, medians reported (one cycle's ratio moved by up
/// to ±0.05 from run to run, docs/BENCHMARKS.md).
/// </summary>
public static class SkipUnchangedMeasure
{
    private const string Source = "public.bench_skip_source";
    private const string Table = "scored.bench_skip";
    private const int Cycles = 3;

    private sealed record Cycle(Timed First, Timed Tenth, Timed None, int Changed, long TenthUnchanged, long NoneUnchanged, long TenthWalBytes)
    {
        public double TenthRatio => Tenth.Elapsed / First.Elapsed;
        public double NoneRatio => None.Elapsed / First.Elapsed;
    }

    public static async Task MeasureAsync(BenchmarkDatabase database, string sourceTable, string model, IReadOnlyDictionary<string, string> settings,
        long rows, List<Measurement> results, List<(string Name, string Value)> ratios)
    {
        var folder = PipelineRun.NewJobFolder();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        try
        {
            await PipelineRun.WriteJobAsync(folder, "bench-skip", PipelineRun.TableSource(Source), $"""
                  table: {Table}
                  skip_unchanged: true
                """, model);
            using var host = await PipelineRun.StartHostAsync(database.ConnectionString, folder, model, settings);
            var job = Core.Jobs.JobSpecLoader.LoadByName(folder, "bench-skip");
            Console.WriteLine($"Measuring output.skip_unchanged, {Cycles} cycles: a first run, a re-run with 10 % of the rows changed, a re-run with none changed");
            var cycles = new List<Cycle>();
            for (var i = 0; i < Cycles; i++)
                cycles.Add(await CycleAsync(database, connection, sourceTable, host, job));

            var median = cycles.OrderBy(c => c.Tenth.Elapsed).ElementAt(Cycles / 2);
            var each = string.Join(" / ", cycles.Select(c => $"{c.First.Elapsed.TotalSeconds:0.00}, {c.Tenth.Elapsed.TotalSeconds:0.00}, {c.None.Elapsed.TotalSeconds:0.00} s"));
            results.Add(new Measurement($"skip_unchanged: first run into an empty table, median of {Cycles} cycles", rows, Median(cycles, c => c.First),
                $"cycles (first, 10 %, 0 %): {each}"));
            results.Add(new Measurement($"skip_unchanged: re-run, 10 % of rows changed, median of {Cycles}", rows, Median(cycles, c => c.Tenth),
                $"{median.Changed:N0} changed, {median.TenthUnchanged:N0} unchanged; WAL {Median(cycles.Select(c => c.TenthWalBytes)) / 1048576.0:N0} MiB"));
            results.Add(new Measurement($"skip_unchanged: re-run, 0 % changed, median of {Cycles}", rows, Median(cycles, c => c.None), $"{median.NoneUnchanged:N0} unchanged"));
            ratios.Add(("skip_unchanged re-run, 10 % changed / first run, median of the cycles' ratios (target ≤ 0.5)",
                $"{Median(cycles.Select(c => c.TenthRatio)):0.00} ({string.Join(", ", cycles.Select(c => c.TenthRatio.ToString("0.00")))})"));
            ratios.Add(("skip_unchanged re-run, 0 % changed / first run, median of the cycles' ratios (target ≤ 0.35)",
                $"{Median(cycles.Select(c => c.NoneRatio)):0.00} ({string.Join(", ", cycles.Select(c => c.NoneRatio.ToString("0.00")))})"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            await PipelineRun.DropAsync(database.ConnectionString, Table);
            await PipelineRun.DropAsync(database.ConnectionString, Source);
        }
    }

    /// <summary>One cycle on a source copied afresh (loaded in key order, vacuumed), into an output table dropped first.</summary>
    private static async Task<Cycle> CycleAsync(BenchmarkDatabase database, NpgsqlConnection connection, string sourceTable,
        Microsoft.Extensions.Hosting.IHost host, Core.Jobs.JobSpec job)
    {
        await PipelineRun.DropAsync(database.ConnectionString, Table);
        await connection.ExecuteAsync($"""
            DROP TABLE IF EXISTS {Source};
            CREATE TABLE {Source} (LIKE {sourceTable} INCLUDING ALL);
            INSERT INTO {Source} SELECT * FROM {sourceTable} ORDER BY customer_id;
            """, commandTimeout: 0);
        await connection.ExecuteAsync($"VACUUM ANALYZE {Source}", commandTimeout: 0);
        var first = await PipelineRun.TimeRunAsync(host, job);
        var changed = await connection.ExecuteAsync(
            $"UPDATE {Source} SET tenure_months = coalesce(tenure_months, 0) + 1 WHERE customer_id % 10 = 0", commandTimeout: 0);
        await connection.ExecuteAsync($"VACUUM ANALYZE {Source}", commandTimeout: 0);
        var before = await connection.ExecuteScalarAsync<string>("SELECT pg_current_wal_lsn()::text");
        var tenth = await PipelineRun.TimeRunAsync(host, job);
        // The CHECKPOINT the timed run starts with is inside this span: its own record is a few bytes.
        var wal = await connection.ExecuteScalarAsync<long>("SELECT (pg_current_wal_lsn() - @before::pg_lsn)::bigint", new { before });
        var tenthUnchanged = await LastUnchangedAsync(connection);
        var none = await PipelineRun.TimeRunAsync(host, job);
        return new Cycle(first, tenth, none, changed, tenthUnchanged, await LastUnchangedAsync(connection), wal);
    }

    private static Timed Median(List<Cycle> cycles, Func<Cycle, Timed> time) => cycles.Select(time).OrderBy(t => t.Elapsed).ElementAt(cycles.Count / 2);

    private static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);

    private static long Median(IEnumerable<long> values) => values.Order().ElementAt(values.Count() / 2);

    private static Task<long> LastUnchangedAsync(NpgsqlConnection connection)
        => connection.ExecuteScalarAsync<long>("SELECT rows_unchanged FROM scoring.runs WHERE job_name = 'bench-skip' ORDER BY run_id DESC LIMIT 1");
}
