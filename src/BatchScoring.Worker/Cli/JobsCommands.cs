using System.CommandLine;
using BatchScoring.Core.Jobs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.Worker.Cli;

/// <summary><c>batchscoring jobs validate [path]</c> and <c>batchscoring jobs list</c>.</summary>
internal static class JobsCommands
{
    public static Command Create(IConfigurationRoot configuration)
    {
        var command = new Command("jobs", "Check and list the job files.");
        command.Subcommands.Add(Validate(configuration));
        command.Subcommands.Add(List(configuration));
        return command;
    }

    private static Command Validate(IConfigurationRoot configuration)
    {
        var path = new Argument<string?>("path") { Description = "A job file or a folder of them; default: Jobs:Directory.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("validate",
            "Check job files; print every error as file:line:column: message and exit 2 if there is any. With a configured database, also check each job's model against its source.") { path };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            var target = parse.GetValue(path) ?? JobsDirectory(configuration);
            if (!File.Exists(target) && !Directory.Exists(target))
                throw new FileNotFoundException($"No job file or folder {Path.GetFullPath(target)}.");
            var files = File.Exists(target)
                ? [JobSpecLoader.ReadFile(target)]
                : JobSpecLoader.LoadDirectory(target).Files;
            var errors = files.SelectMany(f => f.Errors).Select(e => e.ToString()).ToList();
            var (misfits, skipped) = await JobModelChecks.CheckAsync(configuration, files.Where(f => f.IsValid).Select(f => f.Job!).ToList(), cancellationToken);
            errors.AddRange(misfits);
            foreach (var error in errors)
                Console.WriteLine(error);
            if (skipped is not null)
                Console.WriteLine(skipped);
            Console.WriteLine(errors.Count == 0
                ? $"{files.Count} job file(s), all valid."
                : $"{files.Count} job file(s), {files.Count(f => !f.IsValid) + misfits.Count} invalid, {errors.Count} error(s).");
            return errors.Count == 0 ? ExitCodes.Succeeded : ExitCodes.InvalidInput;
        }));
        return command;
    }

    private static Command List(IConfigurationRoot configuration)
    {
        var output = OutputFormat.Create();
        var command = new Command("list", "List the jobs: enabled or not, next three fire times in each job's time zone, last run's status.") { output };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            var directory = JobSpecLoader.LoadDirectory(JobsDirectory(configuration));
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var lastRuns = await host.Services.GetRequiredService<RunLedger>().LatestByJobAsync(cancellationToken);

            if (OutputFormat.IsJson(parse, output))
                OutputFormat.Write(directory.Jobs.OrderBy(j => j.Name, StringComparer.Ordinal).Select(job => Json(job, lastRuns.GetValueOrDefault(job.Name))));
            else
            {
                foreach (var job in directory.Jobs.OrderBy(j => j.Name, StringComparer.Ordinal))
                {
                    Console.WriteLine($"{job.Name}  ({(job.Enabled ? "enabled" : "disabled")})  {job.FilePath}");
                    Console.WriteLine($"  schedule   {Schedule(job)}");
                    if (job.Enabled && job.Schedule is { } schedule)
                    {
                        foreach (var fire in QuartzJobs.NextFireTimes(schedule, DateTimeOffset.UtcNow, 3))
                            Console.WriteLine($"  next       {fire:yyyy-MM-dd HH:mm:ss zzz}");
                    }
                    Console.WriteLine($"  last run   {LastRun(lastRuns.GetValueOrDefault(job.Name))}");
                }
            }
            var errors = directory.Errors.ToList();
            foreach (var error in errors)
                await Console.Error.WriteLineAsync(error.ToString());
            return errors.Count == 0 ? ExitCodes.Succeeded : ExitCodes.InvalidInput;
        }));
        return command;
    }

    internal static object Json(JobSpec job, RunRecord? last) => new
    {
        job.Name,
        job.Enabled,
        File = job.FilePath,
        Schedule = job.Schedule is { } s ? new { s.Cron, TimeZone = s.TimeZone, Misfire = s.Misfire == MisfirePolicy.Skip ? "skip" : "fire-once-now" } : null,
        NextFires = job.Enabled && job.Schedule is { } schedule ? QuartzJobs.NextFireTimes(schedule, DateTimeOffset.UtcNow, 3).Select(f => f.UtcDateTime).ToArray() : [],
        LastRun = last is null ? null : new { last.RunId, last.Status, last.Trigger, At = last.FinishedAt ?? last.StartedAt ?? last.CreatedAt },
    };

    private static string JobsDirectory(IConfiguration configuration)
        => AppConfiguration.Bind<JobsOptions>(configuration, JobsOptions.Section).Directory;

    private static string Schedule(JobSpec job) => job.Schedule is { } s
        ? $"'{s.Cron}' in {s.TimeZone}, misfire {(s.Misfire == MisfirePolicy.Skip ? "skip" : "fire-once-now")}"
        : "none (run from the command line only)";

    private static string LastRun(RunRecord? run) => run is null
        ? "never"
        : $"{run.RunId} {run.Status} ({run.Trigger}, {(run.FinishedAt ?? run.StartedAt ?? run.CreatedAt):yyyy-MM-dd HH:mm:ss}Z)";
}
