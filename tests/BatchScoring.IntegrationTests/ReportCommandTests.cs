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
            Assert.Equal(report.Features.Count, Regex.Count(html, "<svg[ >]"));
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

    private static DriftReport SmallReport()
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
        return DriftAnalyzer.Analyze(reference, Fill(reference.EmptyCopy(), 2, 0.3), DriftSpec.Default, "test reference");
    }
}
