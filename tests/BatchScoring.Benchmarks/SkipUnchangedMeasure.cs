using Dapper;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// <c>output.skip_unchanged</c> (issue 18): on a copy of the bench source, a first run into an empty table, a re-run
/// after 10 % of the rows changed a feature, and a re-run with nothing changed; each re-run's time against the first.
/// </summary>
public static class SkipUnchangedMeasure
{
    private const string Source = "public.bench_skip_source";
    private const string Table = "scored.bench_skip";

    public static async Task MeasureAsync(BenchmarkDatabase database, string sourceTable, string model, IReadOnlyDictionary<string, string> settings,
        long rows, List<Measurement> results, List<(string Name, string Value)> ratios)
    {
        var folder = PipelineRun.NewJobFolder();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        try
        {
            await PipelineRun.DropAsync(database.ConnectionString, Table);
            await connection.ExecuteAsync($"""
                DROP TABLE IF EXISTS {Source};
                CREATE TABLE {Source} (LIKE {sourceTable} INCLUDING ALL);
                INSERT INTO {Source} SELECT * FROM {sourceTable} ORDER BY customer_id;
                """, commandTimeout: 0);
            await connection.ExecuteAsync($"VACUUM ANALYZE {Source}", commandTimeout: 0);
            await PipelineRun.WriteJobAsync(folder, "bench-skip", PipelineRun.TableSource(Source), $"""
                  table: {Table}
                  skip_unchanged: true
                """, model);
            using var host = await PipelineRun.StartHostAsync(database.ConnectionString, folder, model, settings);
            var job = Core.Jobs.JobSpecLoader.LoadByName(folder, "bench-skip");
            Console.WriteLine("Measuring output.skip_unchanged: a first run, a re-run with 10 % of the rows changed, a re-run with none changed");
            var first = await PipelineRun.TimeRunAsync(host, job);
            var changed = await connection.ExecuteAsync(
                $"UPDATE {Source} SET tenure_months = coalesce(tenure_months, 0) + 1 WHERE customer_id % 10 = 0", commandTimeout: 0);
            await connection.ExecuteAsync($"VACUUM ANALYZE {Source}", commandTimeout: 0);
            var tenth = await PipelineRun.TimeRunAsync(host, job);
            var tenthUnchanged = await LastUnchangedAsync(connection);
            var none = await PipelineRun.TimeRunAsync(host, job);
            var noneUnchanged = await LastUnchangedAsync(connection);
            results.Add(new Measurement("skip_unchanged: first run into an empty table", rows, first));
            results.Add(new Measurement("skip_unchanged: re-run, 10 % of rows changed", rows, tenth, $"{changed:N0} changed, {tenthUnchanged:N0} unchanged"));
            results.Add(new Measurement("skip_unchanged: re-run, 0 % changed", rows, none, $"{noneUnchanged:N0} unchanged"));
            ratios.Add(("skip_unchanged re-run, 10 % changed / first run (target ≤ 0.5)", $"{tenth.Elapsed / first.Elapsed:0.00}"));
            ratios.Add(("skip_unchanged re-run, 0 % changed / first run (target ≤ 0.35)", $"{none.Elapsed / first.Elapsed:0.00}"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            await PipelineRun.DropAsync(database.ConnectionString, Table);
            await PipelineRun.DropAsync(database.ConnectionString, Source);
        }
    }

    private static Task<long> LastUnchangedAsync(NpgsqlConnection connection)
        => connection.ExecuteScalarAsync<long>("SELECT rows_unchanged FROM scoring.runs WHERE job_name = 'bench-skip' ORDER BY run_id DESC LIMIT 1");
}
