using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.Postgres.Tests.Drift;

public class DriftStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly ColumnSchema[] Inputs = [new("id", ColumnKind.Int64), new("x", ColumnKind.Float64), new("city", ColumnKind.Text)];
    private static readonly ColumnSchema[] Outputs = [new("score", ColumnKind.Float32)];

    [Fact]
    public async Task A_report_is_saved_queried_in_SQL_and_loaded_back()
    {
        var runId = await NewRunAsync();
        var reference = await ReferenceAsync();
        var report = DriftAnalyzer.Analyze(reference, Current(reference, shift: 1.0, seed: 2), DriftSpec.Default, "model m@1 profile");
        var store = new DriftReportStore(database.DataSource);

        await store.SaveAsync(runId, report, CancellationToken.None);
        await store.SaveAsync(runId, report, CancellationToken.None); // a re-finalized run replaces its report

        var loaded = await store.LoadAsync(runId, CancellationToken.None);
        Assert.NotNull(loaded);
        Assert.Equal(report.Summary, loaded.Report.Summary);
        foreach (var expected in report.Features)
        {
            var actual = loaded.Report.Features.Single(f => f.Feature == expected.Feature);
            Assert.Equal(expected with { Statistics = actual.Statistics, Bins = actual.Bins }, actual);
            Assert.Equal(expected.Statistics.OrderBy(p => p.Key), actual.Statistics.OrderBy(p => p.Key));
            Assert.Equal(expected.Bins, actual.Bins);
        }

        // What an analyst asks: which features drifted, and in which bins the share moved most.
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var drifted = (await connection.QueryAsync<string>(
            "SELECT feature FROM scoring.drift_features WHERE run_id = @runId AND drifted ORDER BY severity DESC", new { runId })).ToArray();
        Assert.Contains("x", drifted);
        var moved = await connection.QueryFirstAsync<(string Bin, double Change)>(
            """
            SELECT b->>'bin', (b->>'cur')::float8 - (b->>'ref')::float8 AS change
            FROM scoring.drift_features f, jsonb_array_elements(f.bins) b
            WHERE f.run_id = @runId AND f.feature = 'x'
            ORDER BY abs((b->>'cur')::float8 - (b->>'ref')::float8) DESC
            """, new { runId });
        Assert.True(moved.Change > 0.1, $"bin {moved.Bin} moved by {moved.Change}");
        Assert.Null(await store.LoadAsync(runId + 1000, CancellationToken.None));
    }

    [Fact]
    public async Task Partition_sketches_merge_to_the_run_sketch_and_reference_profiles_round_trip()
    {
        var runId = await NewRunAsync();
        var reference = await ReferenceAsync();
        var sketchStore = new DriftSketchStore(database.DataSource);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var whole = reference.EmptyCopy();
        for (var partition = 0; partition < 4; partition++)
        {
            var batch = Batch(500, seed: 10 + partition, firstKey: partition * 500, shift: 0);
            var hashes = RowKeyHasher.Hash(batch.Input, ["id"]);
            var sketch = reference.EmptyCopy();
            sketch.Add(batch, hashes);
            whole.Add(batch, hashes);
            var partitionId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO scoring.partitions (run_id, partition_key, status) VALUES (@runId, @key, 'succeeded') RETURNING partition_id",
                new { runId, key = $"p{partition}" });
            await connection.ExecuteAsync("UPDATE scoring.partitions SET drift_sketch = @Sketch::jsonb WHERE partition_id = @partitionId",
                new { Sketch = sketch.ToJson(), partitionId });
        }

        var merged = await sketchStore.MergeRunSketchesAsync(runId, CancellationToken.None);
        Assert.NotNull(merged);
        Assert.Equal(2000, merged.RowCount);
        Assert.Equal(whole["x"].Numeric!.Sample.Entries(), merged["x"].Numeric!.Sample.Entries());
        Assert.Equal(whole["city"].Categories!.FrozenCounts, merged["city"].Categories!.FrozenCounts);

        await connection.ExecuteAsync(
            "INSERT INTO scoring.models (name, version, format, file_path, sha256) VALUES ('m', 1, 'mlnet', 'm.zip', 'abc')");
        await sketchStore.SaveReferenceProfileAsync("m", 1, reference, CancellationToken.None);
        var profile = await sketchStore.LoadReferenceProfileAsync("m", 1, CancellationToken.None);
        Assert.Equal(reference.ToJson(), profile!.ToJson());
        Assert.Null(await sketchStore.LoadReferenceProfileAsync("m", 2, CancellationToken.None));

        // The finalizer's drift step: the model's profile as reference, the run's partitions merged, the report stored.
        var finalizer = new RunDriftFinalizer(sketchStore, new DriftReportStore(database.DataSource));
        var (referenceSketch, description) = (await finalizer.LoadReferenceAsync(DriftReference.ModelProfile, "m", 1, CancellationToken.None))!.Value;
        Assert.Equal("model m@1 profile", description);
        var report = await finalizer.FinalizeAsync(runId, referenceSketch, description, DriftSpec.Default, CancellationToken.None);
        Assert.Equal(2000, report!.Summary.CurrentRows);
        var stored = await new DriftReportStore(database.DataSource).LoadAsync(runId, CancellationToken.None);
        Assert.Equal(report.Summary, stored!.Report.Summary);
        var (earlier, earlierDescription) = (await finalizer.LoadReferenceAsync(new DriftReference { RunId = runId }, null, null, CancellationToken.None))!.Value;
        Assert.Equal($"run {runId}", earlierDescription);
        Assert.Equal(2000, earlier.RowCount);
    }

    [Fact]
    public async Task Drift_trends_give_each_feature_of_a_job_as_a_series_of_runs_newest_first()
    {
        var job = "trend-test-" + Guid.NewGuid().ToString("N")[..8];
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var reference = await ReferenceAsync();
        var store = new DriftReportStore(database.DataSource);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var runs = new List<long>();
        foreach (var shift in new[] { 0.0, 0.5, 1.0 })
        {
            var runId = await TestRuns.StartAsync(database.DataSource, new RunStart(job, "schedule", "m", "1", null), CancellationToken.None);
            await store.SaveAsync(runId, DriftAnalyzer.Analyze(reference, Current(reference, shift, seed: runs.Count + 3), DriftSpec.Default, "m@1"), CancellationToken.None);
            runs.Add(runId);
            // A job's runs never overlap: this one ends before the next starts.
            await connection.ExecuteAsync("UPDATE scoring.runs SET status = 'succeeded', finished_at = now() WHERE run_id = @runId", new { runId });
        }

        var series = (await connection.QueryAsync<(long RunId, long RunsAgo, string Method, double Statistic, double Threshold, bool Drifted)>(
            """
            SELECT run_id, runs_ago, method, statistic, threshold, drifted FROM scoring.drift_trends
            WHERE job_name = @job AND feature = 'x' ORDER BY runs_ago
            """, new { job })).ToArray();
        Assert.Equal(runs.AsEnumerable().Reverse(), series.Select(s => s.RunId));
        Assert.Equal([1L, 2, 3], series.Select(s => s.RunsAgo));
        Assert.True(series[0].Statistic > series[2].Statistic, $"{series[0].Method}: {series[0].Statistic} after {series[2].Statistic}");
        Assert.True(series[0].Drifted);
        Assert.False(series[2].Drifted);
    }

    private async Task<long> NewRunAsync()
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        return await TestRuns.StartAsync(database.DataSource, new RunStart("drift-test-" + Guid.NewGuid().ToString("N")[..8], "manual", "m", "1", null), CancellationToken.None);
    }

    private static Task<DatasetSketch> ReferenceAsync()
    {
        var batch = Batch(800, seed: 1, firstKey: 1_000_000, shift: 0);
        var hashes = RowKeyHasher.Hash(batch.Input, ["id"]);
        return DatasetSketch.BuildReferenceAsync(DatasetSketch.FeaturesOf(Inputs[1..], Outputs), SketchOptions.Default,
            (sketch, _) =>
            {
                sketch.Add(batch, hashes);
                return Task.CompletedTask;
            }, CancellationToken.None);
    }

    private static DatasetSketch Current(DatasetSketch reference, double shift, int seed)
    {
        var batch = Batch(800, seed, firstKey: 0, shift);
        var sketch = reference.EmptyCopy();
        sketch.Add(batch, RowKeyHasher.Hash(batch.Input, ["id"]));
        return sketch;
    }

    private static ScoredBatch Batch(int rows, int seed, long firstKey, double shift)
    {
        var random = new Random(seed);
        var input = new RowBatch(Inputs, rows) { Count = rows };
        var output = new RowBatch(Outputs, rows) { Count = rows };
        string[] cities = ["Lyon", "Oslo", "Kyiv"];
        for (var i = 0; i < rows; i++)
        {
            input.Column<long>("id").Set(i, firstKey + i);
            var x = random.NextDouble() + shift;
            input.Column<double>("x").Set(i, x);
            input.Column<string>("city").Set(i, cities[random.Next(cities.Length)]);
            output.Column<float>("score").Set(i, (float)(x / 2));
        }
        return new ScoredBatch(input, output);
    }
}
