using BatchScoring.Testing;
using BatchScoring.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace BatchScoring.IntegrationTests.Scheduling;

/// <summary>A running worker follows edits of its job folder without a restart.</summary>
public sealed class HotReloadTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("batchscoring-reload-").FullName;

    private static string Job(string name, string cron) => $"""
        name: {name}
        schedule:
          cron: "{cron}"
          timezone: Europe/Berlin
        source: {"{"} table: public.customers, key_columns: [customer_id] {"}"}
        model: {"{"} path: churn.zip {"}"}
        output: {"{"} table: scored.{name.Replace('-', '_')} {"}"}
        """;

    private void Write(string file, string yaml)
    {
        // Write then move, as editors and deploy tools do, so a scan never sees half a file.
        var temporary = Path.Combine(folder, "." + file + ".tmp");
        File.WriteAllText(temporary, yaml);
        File.Move(temporary, Path.Combine(folder, file), overwrite: true);
    }

    private static async Task<string?> CronOf(IScheduler scheduler, string job)
        => (await scheduler.GetTrigger(QuartzJobs.TriggerKeyOf(job)) as ICronTrigger)?.CronExpressionString;

    [Fact]
    public async Task Added_edited_and_removed_files_reschedule_and_an_invalid_edit_keeps_the_previous_version()
    {
        Write("nightly.yaml", Job("nightly", "0 0 2 * * ?"));
        using var host = await SchedulingHost.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = database.ConnectionString,
            ["Jobs:Directory"] = folder,
            ["Scheduler:ReloadInterval"] = "00:00:00.200",
        }).Build());
        var scheduler = await host.SchedulerAsync();
        var catalog = host.Services.GetRequiredService<JobCatalog>();

        // The file present at start is scheduled with its cron in its time zone.
        Assert.Equal("0 0 2 * * ?", await CronOf(scheduler, "nightly"));
        var trigger = (ICronTrigger)(await scheduler.GetTrigger(QuartzJobs.TriggerKeyOf("nightly")))!;
        Assert.Equal("Europe/Berlin", trigger.TimeZone.Id);

        // Added.
        Write("hourly.yaml", Job("hourly", "0 0 * * * ?"));
        await SchedulingHost.EventuallyAsync(async () => await CronOf(scheduler, "hourly") == "0 0 * * * ?", "the added job to be scheduled");

        // Edited.
        Write("nightly.yaml", Job("nightly", "0 30 4 * * ?"));
        await SchedulingHost.EventuallyAsync(async () => await CronOf(scheduler, "nightly") == "0 30 4 * * ?", "the edited cron to be in force");

        // An invalid edit: the error is known with its location, the previous version stays scheduled.
        Write("nightly.yaml", Job("nightly", "0 30 25 * * ?"));
        await SchedulingHost.EventuallyAsync(() => Task.FromResult(catalog.Errors.Count > 0), "the invalid edit to be noticed");
        var error = Assert.Single(catalog.Errors);
        Assert.Equal((Path.Combine(folder, "nightly.yaml"), 3L, 9L), (error.FilePath, error.Line, error.Column));
        Assert.StartsWith("'schedule.cron': invalid Quartz cron expression '0 30 25 * * ?'", error.Message);
        await Task.Delay(600);
        Assert.Equal("0 30 4 * * ?", await CronOf(scheduler, "nightly"));
        Assert.Equal("0 30 4 * * ?", catalog.Find("nightly")!.Schedule!.Cron);

        // Fixing the file clears the error.
        Write("nightly.yaml", Job("nightly", "0 45 4 * * ?"));
        await SchedulingHost.EventuallyAsync(async () => await CronOf(scheduler, "nightly") == "0 45 4 * * ?", "the fixed file to be in force");
        Assert.Empty(catalog.Errors);

        // Removed.
        File.Delete(Path.Combine(folder, "hourly.yaml"));
        await SchedulingHost.EventuallyAsync(async () => await scheduler.GetJobDetail(QuartzJobs.JobKeyOf("hourly")) is null, "the removed job to be unscheduled");
        Assert.Null(catalog.Find("hourly"));
        Assert.NotNull(await scheduler.GetJobDetail(QuartzJobs.JobKeyOf("nightly")));

        await host.StopAsync();
    }

    [Fact]
    public async Task A_disabled_job_and_a_duplicate_name_are_not_scheduled()
    {
        Write("a.yaml", Job("same", "0 0 2 * * ?"));
        Write("b.yaml", Job("same", "0 0 3 * * ?"));
        Write("off.yaml", Job("off", "0 0 2 * * ?") + "\nenabled: false\n");
        using var host = await SchedulingHost.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = database.ConnectionString,
            ["Jobs:Directory"] = folder,
            ["Scheduler:ReloadInterval"] = "00:00:00.200",
        }).Build());
        var scheduler = await host.SchedulerAsync();

        Assert.Equal("0 0 2 * * ?", await CronOf(scheduler, "same"));
        Assert.Null(await scheduler.GetJobDetail(QuartzJobs.JobKeyOf("off")));
        var error = Assert.Single(host.Services.GetRequiredService<JobCatalog>().Errors);
        Assert.Equal((Path.Combine(folder, "b.yaml"), 1L, 7L), (error.FilePath, error.Line, error.Column));
        Assert.Equal($"duplicate job name 'same': {Path.Combine(folder, "a.yaml")} already defines it", error.Message);
        await host.StopAsync();
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
