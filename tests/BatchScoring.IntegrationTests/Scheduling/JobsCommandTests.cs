using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchScoring.IntegrationTests.Scheduling;

/// <summary><c>batchscoring jobs validate</c> and <c>jobs list</c>, run as the real executable.</summary>
public sealed class JobsCommandTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("batchscoring-jobs-cli-").FullName;

    private const string Nightly = """
        name: nightly
        schedule: { cron: "0 0 2 * * ?", timezone: America/New_York }
        source: { table: public.customers, key_columns: [customer_id] }
        model: { path: churn.zip }
        output: { table: scored.nightly }
        """;

    private Dictionary<string, string> Environment => new()
    {
        ["ConnectionStrings__BatchScoring"] = database.ConnectionString,
        ["Jobs__Directory"] = folder,
    };

    [Fact]
    public async Task Validate_prints_every_error_with_its_location_and_exits_2()
    {
        File.WriteAllText(Path.Combine(folder, "nightly.yaml"), Nightly);
        File.WriteAllText(Path.Combine(folder, "broken.yaml"), Nightly.Replace("nightly", "broken").Replace("America/New_York", "America/Gotham") + "\ncolour: blue\n");

        // Without a database to check the models against (there is no churn.zip here), validate checks the files only.
        var filesOnly = new Dictionary<string, string> { ["Jobs__Directory"] = folder };
        var (exitCode, output) = await DemoCommandTests.RunCliAsync(folder, ["jobs", "validate"], filesOnly);

        Assert.Equal(2, exitCode);
        var broken = Path.Combine(folder, "broken.yaml");
        Assert.Contains($"{broken}:2:44: 'schedule.timezone': unknown time zone 'America/Gotham'", output);
        Assert.Contains($"{broken}:6:1: unknown key 'colour' at the top level", output);
        Assert.Contains("2 job file(s), 1 invalid, 2 error(s).", output);

        var (validExit, validOutput) = await DemoCommandTests.RunCliAsync(folder, ["jobs", "validate", Path.Combine(folder, "nightly.yaml")], filesOnly);
        Assert.True(validExit == 0, validOutput);
        Assert.Contains("1 job file(s), all valid.", validOutput);
    }

    [Fact]
    public async Task List_shows_each_job_its_next_three_fires_in_its_zone_and_its_last_run()
    {
        File.WriteAllText(Path.Combine(folder, "nightly.yaml"), Nightly);
        File.WriteAllText(Path.Combine(folder, "manual.yaml"), Nightly.Replace("nightly", "manual").Replace("\nschedule:", "\nenabled: false\nschedule:"));
        await new MigrationRunner(database.DataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var runId = await TestRuns.StartAsync(database.DataSource, new RunStart("nightly", RunTrigger.Manual, null, null, null), CancellationToken.None);
        await TestRuns.FailAsync(database.DataSource, runId, "boom");

        var (exitCode, output) = await DemoCommandTests.RunCliAsync(folder, ["jobs", "list"], Environment);

        Assert.True(exitCode == 0, output);
        Assert.Contains("manual  (disabled)", output);
        Assert.Contains("nightly  (enabled)", output);
        Assert.Contains("'0 0 2 * * ?' in America/New_York", output);
        var fires = output.Split('\n').Where(l => l.TrimStart().StartsWith("next", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, fires.Count);
        Assert.All(fires, f => Assert.Matches(@"next\s+\d{4}-\d\d-\d\d 02:00:00 -0[45]:00", f));
        Assert.Contains($"last run   {runId} failed (manual,", output);
        Assert.Contains("last run   never", output);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
