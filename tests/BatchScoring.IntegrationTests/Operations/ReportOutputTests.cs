using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using BatchScoring.Worker.Reports;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary><c>report -o</c> writes only where asked: stdout for <c>-</c>, never over a file that is not a drift report unless forced.</summary>
public sealed class ReportOutputTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("batchscoring-report-o-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string> Environment() => new() { ["ConnectionStrings__BatchScoring"] = database.ConnectionString };

    private async Task<string> StoredReportRunAsync()
    {
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var runId = await TestRuns.StartAsync(database.DataSource, new RunStart("report-o", "manual", null, null, null), CancellationToken.None);
        await new DriftReportStore(database.DataSource).SaveAsync(runId, SmallReport(), CancellationToken.None);
        await TestRuns.FailAsync(database.DataSource, runId, "only its drift report matters here");
        return runId.ToString();
    }

    [Fact]
    public async Task A_job_file_is_not_overwritten_without_force_and_is_with_it()
    {
        var runId = await StoredReportRunAsync();
        Directory.CreateDirectory(Path.Combine(_folder, "jobs"));
        var job = Path.Combine(_folder, "jobs", "x.yaml");
        const string yaml = "name: x\nsource:\n  table: public.t\n";
        await File.WriteAllTextAsync(job, yaml);

        var refused = await CliRun.RunAsync(_folder, ["report", runId, "-o", "jobs/x.yaml"], Environment());
        refused.AssertOneLineError(2, "jobs/x.yaml", "not a drift report", "--force");
        Assert.Equal(yaml, await File.ReadAllTextAsync(job));

        var forced = await CliRun.RunAsync(_folder, ["report", runId, "-o", "jobs/x.yaml", "--force"], Environment());
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.Contains(DriftReportHtml.Marker, await File.ReadAllTextAsync(job));
    }

    [Fact]
    public async Task An_earlier_drift_report_is_replaced()
    {
        var runId = await StoredReportRunAsync();
        var target = Path.Combine(_folder, "drift.html");
        Assert.Equal(0, (await CliRun.RunAsync(_folder, ["report", runId, "-o", "drift.html"], Environment())).ExitCode);
        await File.AppendAllTextAsync(target, "<!-- edited -->");

        var again = await CliRun.RunAsync(_folder, ["report", runId, "-o", "drift.html"], Environment());

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.DoesNotContain("<!-- edited -->", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task Dash_writes_the_report_to_stdout_and_no_file()
    {
        var runId = await StoredReportRunAsync();

        var result = await CliRun.RunAsync(_folder, ["report", runId, "-o", "-"], Environment());

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.StartsWith("<!DOCTYPE html>", result.Stdout.TrimStart());
        Assert.Contains(DriftReportHtml.Marker, result.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public async Task A_folder_or_a_missing_folder_is_a_one_line_error()
    {
        var runId = await StoredReportRunAsync();
        Directory.CreateDirectory(Path.Combine(_folder, "out"));

        var folder = await CliRun.RunAsync(_folder, ["report", runId, "-o", "out"], Environment());
        folder.AssertOneLineError(2, "out", "is a folder");

        var missing = await CliRun.RunAsync(_folder, ["report", runId, "-o", "nowhere/drift.html"], Environment());
        missing.AssertOneLineError(2, "nowhere", "does not exist");
        Assert.False(Directory.Exists(Path.Combine(_folder, "nowhere")));
    }

    private static DriftReport SmallReport()
    {
        ColumnSchema[] inputs = [new("id", ColumnKind.Int64), new("x", ColumnKind.Float64)];
        var features = inputs[1..].Select(c => FeatureDefinition.Of(c, FeatureRole.Input)).ToArray();
        DatasetSketch Fill(DatasetSketch sketch, int seed, double shift)
        {
            var random = new Random(seed);
            var batch = new RowBatch(inputs, 300) { Count = 300 };
            for (var i = 0; i < 300; i++)
            {
                batch.Column<long>("id").Set(i, seed * 10_000 + i);
                batch.Column<double>("x").Set(i, random.NextDouble() + shift);
            }
            sketch.Add(batch, FeatureRole.Input, RowKeyHasher.Hash(batch, ["id"]));
            return sketch;
        }
        var reference = Fill(Fill(DatasetSketch.Unfrozen(features), 1, 0).FreezeLayout(), 1, 0);
        return DriftAnalyzer.Analyze(reference, Fill(reference.EmptyCopy(), 2, 0.3), DriftSpec.Default, "test reference");
    }
}
