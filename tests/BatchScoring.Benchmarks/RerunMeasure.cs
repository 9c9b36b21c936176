using Dapper;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// The steady state of a scheduled upsert job: a first run into an empty table, then re-runs over the same keys with
/// each <c>output.replace</c> mode, and the table's size after 1 and after 10 re-runs: <c>pg_total_relation_size</c> of
/// the table and, with <c>replace: run</c>, of every run partition, attached or kept detached for a rollback.
/// </summary>
public static class RerunMeasure
{
    private const int Reruns = 10;
    private const string Table = "scored.bench_rerun";

    public static async Task MeasureAsync(BenchmarkDatabase database, string sourceTable, string model, IReadOnlyDictionary<string, string> settings,
        long rows, List<Measurement> results, List<(string Name, string Value)> ratios)
    {
        await using (var connection = await database.DataSource.OpenConnectionAsync())
            Console.WriteLine($"autovacuum is {await connection.ExecuteScalarAsync<string>("SHOW autovacuum")} in the bench cluster");
        foreach (var mode in new[] { "partition", "key", "run" })
        {
            var folder = PipelineRun.NewJobFolder();
            try
            {
                await PipelineRun.DropAsync(database.ConnectionString, Table);
                await PipelineRun.WriteJobAsync(folder, "bench-rerun", PipelineRun.TableSource(sourceTable), $"""
                      table: {Table}
                      replace: {mode}
                    """, model);
                using var host = await PipelineRun.StartHostAsync(database.ConnectionString, folder, model, settings);
                var job = Core.Jobs.JobSpecLoader.LoadByName(folder, "bench-rerun");
                Console.WriteLine($"Measuring a first run and {Reruns} re-runs with output.replace: {mode}");
                var first = await PipelineRun.TimeRunAsync(host, job);
                var rerun = await PipelineRun.TimeRunAsync(host, job);
                var sizeAfterOne = await SizeAsync(database.DataSource);
                var last = rerun;
                for (var i = 1; i < Reruns; i++)
                    last = await PipelineRun.TimeRunAsync(host, job);
                var (sizeAfterTen, vacuums) = (await SizeAsync(database.DataSource), await AutovacuumsAsync(database.DataSource));
                results.Add(new Measurement($"Upsert first run into an empty table (replace: {mode})", rows, first));
                results.Add(new Measurement($"Upsert re-run over existing keys (replace: {mode})", rows, rerun,
                    $"table {Mib(sizeAfterOne)} after 1 re-run, {Mib(sizeAfterTen)} after {Reruns} ({vacuums} autovacuums); re-run {Reruns}: {last.Elapsed.TotalSeconds:0.00} s"));
                ratios.Add(($"re-run / first run, replace: {mode}{(mode == "run" ? " (the default for this job)" : "")} (target ≤ 1.3)", $"{rerun.Elapsed / first.Elapsed:0.00}"));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
                await PipelineRun.DropAsync(database.ConnectionString, Table);
            }
        }
    }

    /// <summary>The table and its run partitions, attached or detached (<c>bench_rerun_r&lt;run id&gt;</c>).</summary>
    private const string Relations = "n.nspname = 'scored' AND (c.relname = 'bench_rerun' OR c.relname ~ '^bench_rerun_r[0-9]+$')";

    private static async Task<long> SizeAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND {Relations}");
    }

    private static async Task<long> AutovacuumsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT coalesce(sum(autovacuum_count), 0) FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {Relations}");
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0} MiB";
}
