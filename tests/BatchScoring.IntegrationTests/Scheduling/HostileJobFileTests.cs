using BatchScoring.Testing;
using BatchScoring.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace BatchScoring.IntegrationTests.Scheduling;

/// <summary>No job file takes down <c>jobs validate</c> or a running worker (issue 13, finding 7).</summary>
public sealed class HostileJobFileTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("batchscoring-hostile-jobs-").FullName;

    private const string Nightly = """
        name: nightly
        schedule: { cron: "0 0 2 * * ?" }
        source: { table: public.customers, key_columns: [customer_id] }
        model: { path: churn.zip }
        output: { table: scored.nightly }
        """;

    [Fact]
    public async Task Validate_reports_each_hostile_file_on_one_line_and_exits_2()
    {
        File.WriteAllText(Path.Combine(folder, "nightly.yaml"), Nightly);
        HostileJobFiles.WriteAll(folder);

        var (exitCode, output) = await DemoCommandTests.RunCliAsync(folder, ["jobs", "validate"], new()
        {
            ["Jobs__Directory"] = folder,
        });

        Assert.True(exitCode == 2, $"exit {exitCode}:\n{output}");
        foreach (var name in HostileJobFiles.Names)
            Assert.Single(output.Split('\n'), l => l.StartsWith(Path.Combine(folder, name) + ":", StringComparison.Ordinal));
        Assert.Matches($@"{Path.Combine(folder, "deep-flow.yaml")}:1:\d+: the YAML is nested more than 64 levels deep", output);
        Assert.Matches($@"{Path.Combine(folder, "deep-block.yaml")}:2:\d+: the YAML is nested more than 64 levels deep", output);
        Assert.Contains($"{Path.Combine(folder, "huge.yaml")}:1:1: the file is larger than 1048576 bytes", output);
        Assert.Contains("6 job file(s), 5 invalid, 5 error(s).", output);
        Assert.DoesNotContain("Stack overflow", output);
    }

    [Fact]
    public async Task A_running_worker_keeps_its_jobs_scheduled_when_hostile_files_appear()
    {
        File.WriteAllText(Path.Combine(folder, "nightly.yaml"), Nightly);
        using var host = await SchedulingHost.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = database.ConnectionString,
            ["Jobs:Directory"] = folder,
            ["Scheduler:ReloadInterval"] = "00:00:00.200",
        }).Build());
        var scheduler = await host.SchedulerAsync();
        var catalog = host.Services.GetRequiredService<JobCatalog>();

        HostileJobFiles.WriteAll(folder);
        await SchedulingHost.EventuallyAsync(
            () => Task.FromResult(catalog.Errors.Select(e => Path.GetFileName(e.FilePath)).Distinct().Count() == HostileJobFiles.Names.Count),
            "every hostile file to be reported");

        Assert.All(catalog.Errors, e => Assert.True(e.Line >= 1, e.ToString()));
        var trigger = (ICronTrigger)(await scheduler.GetTrigger(QuartzJobs.TriggerKeyOf("nightly")))!;
        Assert.Equal("0 0 2 * * ?", trigger.CronExpressionString);

        // The scan goes on: a new valid file is still scheduled.
        File.WriteAllText(Path.Combine(folder, "hourly.yaml"), Nightly.Replace("nightly", "hourly").Replace("0 0 2 * * ?", "0 0 * * * ?"));
        await SchedulingHost.EventuallyAsync(async () => await scheduler.GetTrigger(QuartzJobs.TriggerKeyOf("hourly")) is not null, "the added job to be scheduled");
        await host.StopAsync();
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
