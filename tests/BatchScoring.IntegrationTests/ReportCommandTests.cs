using System.Text.Json;
using System.Text.RegularExpressions;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.IntegrationTests;

public class ReportCommandTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Report_writes_the_stored_drift_of_a_run_as_one_html_file_with_a_chart_per_feature()
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var runId = await TestRuns.StartAsync(database.DataSource, new RunStart("report-test", "manual", null, null, null), CancellationToken.None);
        var report = SmallReport();
        await new DriftReportStore(database.DataSource).SaveAsync(runId, report, CancellationToken.None);
        var folder = Directory.CreateTempSubdirectory("batchscoring-report-").FullName;
        var environment = new Dictionary<string, string> { ["ConnectionStrings__BatchScoring"] = database.ConnectionString };
        try
        {
            var (exitCode, output) = await DemoCommandTests.RunCliAsync(folder, ["report", runId.ToString(), "-o", "drift.html"], environment);

            Assert.True(exitCode == 0, $"report exited {exitCode}:\n{output}");
            var html = await File.ReadAllTextAsync(Path.Combine(folder, "drift.html"));
            Assert.Equal(report.Features.Count, Regex.Count(html, "<svg[^>]*class=\"histogram\""));
            Assert.Contains("report-test", html);

            var (missingExit, missingOutput) = await DemoCommandTests.RunCliAsync(folder, ["report", (runId + 999).ToString()], environment);
            Assert.Equal(2, missingExit);
            Assert.Contains("has no drift report", missingOutput);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Report_format_json_writes_what_the_html_shows_with_each_features_trend_over_the_last_ten_runs_of_its_job()
    {
        var store = new DriftReportStore(database.DataSource);
        var runs = await AnalysedRunsAsync("report-trend", 12);
        var runId = runs[10];
        var stored = (await store.LoadAsync(runId, CancellationToken.None))!.Report;
        var folder = Directory.CreateTempSubdirectory("batchscoring-report-").FullName;
        var environment = new Dictionary<string, string> { ["ConnectionStrings__BatchScoring"] = database.ConnectionString };
        try
        {
            var (exitCode, output) = await DemoCommandTests.RunCliAsync(folder, ["report", runId.ToString(), "--format", "json"], environment);
            Assert.True(exitCode == 0, $"report exited {exitCode}:\n{output}");

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, $"drift-run-{runId}.json")));
            var root = json.RootElement;
            Assert.Equal("batchscoring drift report", root.GetProperty("generator").GetString());
            Assert.Equal(runId, root.GetProperty("run").GetProperty("run_id").GetInt64());
            Assert.Equal("report-trend", root.GetProperty("run").GetProperty("job_name").GetString());
            Assert.Equal(stored.Summary.Reference, root.GetProperty("reference").GetString());
            var dataset = root.GetProperty("dataset");
            Assert.Equal(stored.Summary.CurrentRows, dataset.GetProperty("current_rows").GetInt64());
            Assert.Equal(stored.Summary.DatasetDrift, dataset.GetProperty("dataset_drift").GetBoolean());
            Assert.Equal(stored.Summary.DriftedInputFeatures, dataset.GetProperty("drifted_input_features").GetInt32());
            var features = root.GetProperty("features").EnumerateArray().ToArray();
            Assert.Equal(stored.BySeverity.Select(f => f.Feature), features.Select(f => f.GetProperty("name").GetString()));
            foreach (var f in features)
            {
                var expected = stored.Features.Single(e => e.Feature == f.GetProperty("name").GetString());
                Assert.Equal(DriftNames.Of(expected.Method), f.GetProperty("method").GetString());
                Assert.Equal(DriftNames.Of(expected.Kind), f.GetProperty("kind").GetString());
                Assert.Equal(expected.Statistic, f.GetProperty("statistic").GetDouble());
                Assert.Equal(expected.Threshold, f.GetProperty("threshold").GetDouble());
                Assert.Equal(expected.PValue, f.GetProperty("p_value").GetDouble());
                Assert.Equal(expected.FdrRejected, f.GetProperty("fdr_rejected").GetBoolean());
                Assert.Equal(expected.Drifted, f.GetProperty("drifted").GetBoolean());
                Assert.Equal(expected.Drifted, f.GetProperty("reason").ValueKind == JsonValueKind.String);
                Assert.Equal(expected.ReferenceRows, f.GetProperty("reference_rows").GetInt64());
                Assert.Equal(expected.CurrentRows, f.GetProperty("current_rows").GetInt64());
                Assert.Equal(expected.ReferenceSampleSize, NullableInt64(f.GetProperty("reference_sample_size")));
                Assert.Equal(expected.CurrentSampleSize, NullableInt64(f.GetProperty("current_sample_size")));
                Assert.Equal(expected.Bins, f.GetProperty("bins").EnumerateArray()
                    .Select(b => new BinShare(b.GetProperty("bin").GetString()!, b.GetProperty("reference").GetDouble(), b.GetProperty("current").GetDouble())));
                var trend = f.GetProperty("trend").EnumerateArray().ToArray();
                Assert.Equal(runs[1..11], trend.Select(p => p.GetProperty("run_id").GetInt64()));
                Assert.Equal(runs[1..11].Select(r => r == runId), trend.Select(p => p.GetProperty("this_run").GetBoolean()));
                Assert.Equal(expected.Statistic, trend[^1].GetProperty("statistic").GetDouble());
            }
            var x = stored.Features.Single(f => f.Feature == "x");
            Assert.True(x.Drifted);
            Assert.NotNull(x.ReferenceSampleSize);

            var (htmlExit, htmlOutput) = await DemoCommandTests.RunCliAsync(folder, ["report", runId.ToString(), "-o", "trend.html"], environment);
            Assert.True(htmlExit == 0, $"report exited {htmlExit}:\n{htmlOutput}");
            var html = await File.ReadAllTextAsync(Path.Combine(folder, "trend.html"));
            var trendSvg = Regex.Match(html, "<svg[^>]*class=\"trend\"[^>]*aria-label=\"x:.*?</svg>", RegexOptions.Singleline).Value;
            Assert.Equal(10, Regex.Count(trendSvg, "<circle "));
            Assert.Equal(1, Regex.Count(trendSvg, "current-point"));
            Assert.Contains($"<title>run {runId}: ", trendSvg);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Reports_TrendRuns_sets_how_many_runs_each_features_trend_shows()
    {
        var runs = await AnalysedRunsAsync("report-trend-3", 6);
        var folder = Directory.CreateTempSubdirectory("batchscoring-report-").FullName;
        var environment = new Dictionary<string, string> { ["ConnectionStrings__BatchScoring"] = database.ConnectionString, ["Reports__TrendRuns"] = "3" };
        try
        {
            var (exitCode, output) = await DemoCommandTests.RunCliAsync(folder, ["report", runs[4].ToString(), "--format", "json", "-o", "trend.json"], environment);
            Assert.True(exitCode == 0, $"report exited {exitCode}:\n{output}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "trend.json")));
            foreach (var feature in json.RootElement.GetProperty("features").EnumerateArray())
                Assert.Equal(runs[2..5], feature.GetProperty("trend").EnumerateArray().Select(p => p.GetProperty("run_id").GetInt64()));

            (exitCode, output) = await DemoCommandTests.RunCliAsync(folder, ["report", runs[4].ToString(), "-o", "trend.html"], environment);
            Assert.True(exitCode == 0, $"report exited {exitCode}:\n{output}");
            var trendSvg = Regex.Match(await File.ReadAllTextAsync(Path.Combine(folder, "trend.html")),
                "<svg[^>]*class=\"trend\"[^>]*aria-label=\"x:.*?</svg>", RegexOptions.Singleline).Value;
            Assert.Equal(3, Regex.Count(trendSvg, "<circle "));

            environment["Reports__TrendRuns"] = "0";
            (exitCode, output) = await DemoCommandTests.RunCliAsync(folder, ["report", runs[4].ToString(), "--format", "json", "-o", "zero.json"], environment);
            Assert.NotEqual(0, exitCode);
            Assert.Contains("Reports:TrendRuns must be between 1 and 1000", output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs of a job, each with a stored drift report whose feature x moves a little further, ended so the next may start.</summary>
    private async Task<List<long>> AnalysedRunsAsync(string job, int count)
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var store = new DriftReportStore(database.DataSource);
        var runs = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var id = await TestRuns.StartAsync(database.DataSource, new RunStart(job, "manual", null, null, null), CancellationToken.None);
            await store.SaveAsync(id, SmallReport(shift: 0.05 * i), CancellationToken.None);
            await TestRuns.FailAsync(database.DataSource, id, "ended for the test");
            runs.Add(id);
        }
        return runs;
    }

    private static long? NullableInt64(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt64();

    private static DriftReport SmallReport(double shift = 0.3)
    {
        ColumnSchema[] inputs = [new("id", ColumnKind.Int64), new("x", ColumnKind.Float64), new("flag", ColumnKind.Boolean)];
        var features = inputs[1..].Select(c => FeatureDefinition.Of(c, FeatureRole.Input)).ToArray();
        DatasetSketch Fill(DatasetSketch sketch, int seed, double shift)
        {
            var random = new Random(seed);
            var batch = new RowBatch(inputs, 600) { Count = 600 };
            for (var i = 0; i < 600; i++)
            {
                batch.Column<long>("id").Set(i, seed * 10_000 + i);
                batch.Column<double>("x").Set(i, random.NextDouble() + shift);
                batch.Column<bool>("flag").Set(i, random.NextDouble() < 0.3);
            }
            sketch.Add(batch, FeatureRole.Input, RowKeyHasher.Hash(batch, ["id"]));
            return sketch;
        }
        var reference = Fill(Fill(DatasetSketch.Unfrozen(features), 1, 0).FreezeLayout(), 1, 0);
        return DriftAnalyzer.Analyze(reference, Fill(reference.EmptyCopy(), 2, shift), DriftSpec.Default, "test reference");
    }
}
