using System.Diagnostics;
using BatchScoring.Worker.WebConsole;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// The web console's server time (reading the ledger and rendering the HTML, what a request costs the process): the
/// runs page over <see cref="Runs"/> runs and the page of a run with <see cref="Partitions"/> partitions, median of
/// <see cref="Rounds"/> after a warm-up, with the run's JSON twin for comparison; and what a live run page's poll costs,
/// the whole twin against <c>?partitions=changed&amp;since=CURSOR</c>, for a running run of as many partitions.
/// </summary>
public static class ConsoleRender
{
    public const int Runs = 10_000;
    public const int Partitions = 5_000;
    private const int Rounds = 15;
    private const int LiveRunning = 8;
    private const string Job = "bench-console";

    public static async Task MeasureAsync(BenchmarkDatabase database, string model, IReadOnlyDictionary<string, string> settings,
        List<Measurement> results, List<(string Name, string Value)> ratios)
    {
        var folder = PipelineRun.NewJobFolder();
        try
        {
            using var host = await PipelineRun.StartHostAsync(database.ConnectionString, folder, model, settings);
            Console.WriteLine($"Seeding {Runs:N0} runs and a run of {Partitions:N0} partitions for the console");
            var bigRun = await SeedAsync(database.DataSource);
            var liveRun = await SeedLiveAsync(database.DataSource);
            var runsPage = host.Services.GetRequiredService<RunsPage>();
            var runPage = host.Services.GetRequiredService<RunPage>();
            var query = new QueryCollection();
            var runs = await MedianAsync(async () => RunsPage.Html(await runsPage.LoadAsync(query, CancellationToken.None)).Length);
            var filtered = await MedianAsync(async () => RunsPage.Html(await runsPage.LoadAsync(
                new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["status"] = "failed", ["job"] = Job }), CancellationToken.None)).Length);
            var run = await MedianAsync(async () => RunPage.Html((await runPage.LoadAsync(bigRun, DateTime.UtcNow, CancellationToken.None))!, 1).Length);
            var json = await MedianAsync(async () => RunPage.Json((await runPage.LoadAsync(bigRun, DateTime.UtcNow, CancellationToken.None))!).ToJsonString().Length);
            var pollAll = await MedianAsync(async () => RunPage.Json((await runPage.LoadAsync(liveRun, DateTime.UtcNow, CancellationToken.None))!).ToJsonString().Length);
            var pollChanged = await MedianAsync(async () =>
            {
                var view = (await runPage.LoadAsync(liveRun, DateTime.UtcNow, CancellationToken.None))!;
                return RunPage.Json(view, view.Cursor).ToJsonString().Length;
            });
            results.Add(new Measurement($"Console: runs page, {Runs:N0} runs in the ledger (first page), median of {Rounds}", Runs, new Timed(runs.Time, null), $"{runs.Bytes / 1024} KiB"));
            results.Add(new Measurement($"Console: runs page filtered by job and status, median of {Rounds}", Runs, new Timed(filtered.Time, null), $"{filtered.Bytes / 1024} KiB"));
            results.Add(new Measurement($"Console: run page, {Partitions:N0} partitions (grid + first list page), median of {Rounds}", Partitions, new Timed(run.Time, null), $"{run.Bytes / 1024} KiB"));
            results.Add(new Measurement($"Console: run JSON twin, {Partitions:N0} partitions, median of {Rounds}", Partitions, new Timed(json.Time, null), $"{json.Bytes / 1024} KiB"));
            results.Add(new Measurement($"Console: live run poll, every partition, {Partitions:N0} partitions, median of {Rounds}", Partitions, new Timed(pollAll.Time, null), $"{pollAll.Bytes / 1024} KiB"));
            results.Add(new Measurement($"Console: live run poll, ?partitions=changed ({LiveRunning} running), median of {Rounds}", Partitions, new Timed(pollChanged.Time, null), $"{pollChanged.Bytes / 1024} KiB"));
            ratios.Add(("console live poll bytes, every partition / changed only", $"{(double)pollAll.Bytes / pollChanged.Bytes:0}x"));
            ratios.Add(("console live poll server time, every partition / changed only", $"{pollAll.Time / pollChanged.Time:0.0}x"));
            ratios.Add(("console runs page server time, ms (target ≤ 300)", $"{runs.Time.TotalMilliseconds:0}"));
            ratios.Add(("console run page server time with 5,000 partitions, ms (target ≤ 300)", $"{run.Time.TotalMilliseconds:0}"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            await using var connection = await database.DataSource.OpenConnectionAsync();
            await connection.ExecuteAsync("DELETE FROM scoring.runs WHERE job_name = @Job", new { Job });
        }
    }

    /// <summary>Finished runs with a few failures among them, and one run of many partitions, a few failed; returns that run.</summary>
    private static async Task<long> SeedAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO scoring.runs (job_name, trigger, status, window_start, window_end, rows_read, rows_scored, created_at, started_at, finished_at, error)
            SELECT @Job, CASE WHEN i % 7 = 0 THEN 'backfill' ELSE 'schedule' END, CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END,
                   t, t + interval '1 hour', 1000, 1000, t, t, t + interval '3 minutes', CASE WHEN i % 50 = 0 THEN 'source unreachable: connection refused' END
            FROM generate_series(1, @Runs) i, LATERAL (SELECT timestamptz '2025-01-01' + i * interval '1 hour' AS t) w
            """, new { Job, Runs });
        var runId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO scoring.runs (job_name, trigger, status, created_at, started_at, finished_at, partitions_total)
            VALUES (@Job, 'backfill', 'partially_failed', now(), now() - interval '1 hour', now(), @Partitions) RETURNING run_id
            """, new { Job, Partitions });
        await connection.ExecuteAsync(
            """
            INSERT INTO scoring.partitions (run_id, partition_key, status, attempts, estimated_rows, rows_read, rows_scored, started_at, finished_at, last_error)
            SELECT @runId, 'day=' || (date '2020-01-01' + i / 4) || '/bucket=' || i % 4, CASE WHEN i % 500 = 0 THEN 'failed' ELSE 'succeeded' END, 1, 2000, 2000, 2000,
                   now() - interval '1 hour' + i * interval '0.5 second', now() - interval '1 hour' + i * interval '0.5 second' + (i % 13) * interval '1 second',
                   CASE WHEN i % 500 = 0 THEN 'partition timed out after 00:30:00' END
            FROM generate_series(0, @Partitions - 1) i
            """, new { runId, Partitions });
        await connection.ExecuteAsync("ANALYZE scoring.runs; ANALYZE scoring.partitions");
        return runId;
    }

    /// <summary>A running run of <see cref="Partitions"/> partitions: the first half succeeded a while ago, <see cref="LiveRunning"/> running, the rest pending.</summary>
    private static async Task<long> SeedLiveAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var runId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO scoring.runs (job_name, trigger, status, created_at, started_at, partitions_total)
            VALUES (@Job, 'backfill', 'running', now() - interval '1 hour', now() - interval '1 hour', @Partitions) RETURNING run_id
            """, new { Job, Partitions });
        await connection.ExecuteAsync(
            """
            INSERT INTO scoring.partitions (run_id, partition_key, status, attempts, estimated_rows, rows_read, rows_scored, started_at, finished_at)
            SELECT @runId, 'day=' || (date '2020-01-01' + i / 4) || '/bucket=' || i % 4,
                   CASE WHEN i < @Partitions / 2 THEN 'succeeded' WHEN i < @Partitions / 2 + @LiveRunning THEN 'running' ELSE 'pending' END,
                   CASE WHEN i < @Partitions / 2 + @LiveRunning THEN 1 ELSE 0 END, 2000,
                   CASE WHEN i < @Partitions / 2 THEN 2000 ELSE 0 END, CASE WHEN i < @Partitions / 2 THEN 2000 ELSE 0 END,
                   CASE WHEN i < @Partitions / 2 + @LiveRunning THEN now() - interval '1 hour' + i * interval '0.5 second' END,
                   CASE WHEN i < @Partitions / 2 THEN now() - interval '1 hour' + i * interval '0.5 second' + interval '2 seconds' END
            FROM generate_series(0, @Partitions - 1) i
            """, new { runId, Partitions, LiveRunning });
        await connection.ExecuteAsync("ANALYZE scoring.partitions");
        return runId;
    }

    private static async Task<(TimeSpan Time, long Bytes)> MedianAsync(Func<Task<int>> render)
    {
        var bytes = await render();
        var times = new List<TimeSpan>();
        for (var i = 0; i < Rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            bytes = await render();
            times.Add(watch.Elapsed);
        }
        times.Sort();
        return (times[Rounds / 2], bytes);
    }
}
