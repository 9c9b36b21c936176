using System.CommandLine;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BatchScoring.Worker.Cli;

/// <summary><c>run</c>, <c>backfill</c>, <c>retry</c> and <c>cancel</c>: the verbs that start, finish or stop runs.</summary>
internal static class RunCommands
{
    public static IEnumerable<Command> Create(IConfigurationRoot configuration, ConsoleSignals? signals) =>
        [Run(configuration, signals), Backfill(configuration, signals), Retry(configuration, signals), Cancel(configuration)];

    private static Command Run(IConfigurationRoot configuration, ConsoleSignals? signals)
    {
        var job = CliArguments.Job();
        var window = new Option<string?>("--window")
        {
            Description = "Score START/END (e.g. 2026-09-01/2026-09-02); default: the job's window for now, or the whole source when it has none.",
        };
        var slots = CliArguments.Slots();
        var output = OutputFormat.Create();
        var command = new Command("run", "Run a job now, take part in it as a worker, and exit with its outcome (0 succeeded, 1 failed).") { job, window, slots, output };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            var (built, spec) = await CliHost.MigratedAsync(configuration,
                services => JobModelChecks.LoadFileModelsAsync(services, LoadJob(services, parse.GetValue(job)!), cancellationToken), cancellationToken);
            using var host = built;
            OnForcedExit(host, signals);
            var time = JobTime.Of(spec);
            if (parse.GetValue(window) is not null)
                ThrowIfReplacesByRun(spec, "--window");
            var scored = parse.GetValue(window) is { } w ? time.ParseWindow(w) : JobWindows.ForFire(spec, DateTime.UtcNow);
            var request = new RunRequest(RunTrigger.Manual, scored, Slots: parse.GetValue(slots));
            await JobModelChecks.ThrowIfMisfitAsync(host.Services, spec, cancellationToken);
            using var progress = new ProgressPrinter(spec.Name, Scope(time, scored));
            var outcome = await host.Services.GetRequiredService<JobRunner>().RunAsync(spec, request, cancellationToken, progress);
            progress.Dispose();
            RunSummary.Print(outcome, OutputFormat.IsJson(parse, output));
            return CliAction.ExitCodeOf(outcome, cancellationToken);
        }));
        return command;
    }

    private static Command Backfill(IConfigurationRoot configuration, ConsoleSignals? signals)
    {
        var job = CliArguments.Job();
        var from = new Option<string>("--from") { Description = "Start of the range (inclusive), e.g. 2026-09-01.", Required = true };
        var to = new Option<string>("--to") { Description = "End of the range (exclusive), e.g. 2026-10-01.", Required = true };
        var reprocess = new Option<ReprocessMode>("--reprocess")
        {
            Description = "Which partitions to score: missing (never succeeded), failed (latest attempt failed), all.",
            DefaultValueFactory = _ => ReprocessMode.Missing,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "List the partitions and their estimated rows; score nothing." };
        var slots = CliArguments.Slots();
        var output = OutputFormat.Create();
        var command = new Command("backfill", "Score a past range of a job, partition by partition, and exit with the outcome.")
        {
            job, from, to, reprocess, dryRun, slots, output,
        };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.MigratedAsync(configuration, cancellationToken);
            OnForcedExit(host, signals);
            var spec = LoadJob(host.Services, parse.GetValue(job)!);
            ThrowIfReplacesByRun(spec, "a backfill");
            if (spec.Source.TimestampColumn is null)
                throw new BatchScoringException(
                    $"Job '{spec.Name}' cannot be backfilled: a backfill scores a time range, and the job has no 'source.timestamp_column' to select rows by (add one, or use 'run' to score the whole source).");
            var time = JobTime.Of(spec);
            var range = BackfillRange(spec, time.Window(time.ParseInstant(parse.GetValue(from)!, "--from"), time.ParseInstant(parse.GetValue(to)!, "--to"), "--to"));
            var request = new RunRequest(RunTrigger.Backfill, range, parse.GetValue(reprocess), parse.GetValue(slots));
            var runner = host.Services.GetRequiredService<JobRunner>();
            if (parse.GetValue(dryRun))
            {
                var plan = await runner.DryRunAsync(spec, request, cancellationToken);
                if (OutputFormat.IsJson(parse, output))
                {
                    OutputFormat.Write(new
                    {
                        Job = spec.Name,
                        TimeZone = time.Zone.Id,
                        StartUtc = range.StartUtc,
                        EndUtc = range.EndUtc,
                        StartLocal = time.Local(range.StartUtc),
                        EndLocal = time.Local(range.EndUtc),
                        EstimatedRows = plan.Sum(p => p.EstimatedRows ?? 0),
                        Partitions = plan.Select(p => new { p.Bounds.Key, p.EstimatedRows }),
                    });
                    return ExitCodes.Succeeded;
                }
                Console.WriteLine($"Backfill of {spec.Name}: {time.Describe(range)}, {plan.Count} partitions");
                foreach (var partition in plan)
                    Console.WriteLine($"{partition.Bounds.Key,-40} ~{partition.EstimatedRows:N0} rows");
                Console.WriteLine($"{plan.Count} partitions, ~{plan.Sum(p => p.EstimatedRows ?? 0):N0} rows (dry run: nothing scored)");
                return ExitCodes.Succeeded;
            }
            await JobModelChecks.ThrowIfMisfitAsync(host.Services, spec, cancellationToken);
            using var progress = new ProgressPrinter(spec.Name, Scope(time, range));
            var outcome = await runner.RunAsync(spec, request, cancellationToken, progress);
            progress.Dispose();
            RunSummary.Print(outcome, OutputFormat.IsJson(parse, output));
            return CliAction.ExitCodeOf(outcome, cancellationToken);
        }));
        return command;
    }

    private static Command Retry(IConfigurationRoot configuration, ConsoleSignals? signals)
    {
        var runId = CliArguments.RunId();
        var output = OutputFormat.Create();
        var command = new Command("retry",
            "Finish a run: score again every partition that has not succeeded (failed, cancelled, or abandoned by a dead process).") { runId, output };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.MigratedAsync(configuration, cancellationToken);
            OnForcedExit(host, signals);
            using var progress = new ProgressPrinter(null, "retry");
            var outcome = await host.Services.GetRequiredService<JobRunner>().RetryAsync(parse.GetValue(runId), cancellationToken, progress);
            progress.Dispose();
            RunSummary.Print(outcome, OutputFormat.IsJson(parse, output));
            return CliAction.ExitCodeOf(outcome, cancellationToken);
        }));
        return command;
    }

    private static Command Cancel(IConfigurationRoot configuration)
    {
        var runId = CliArguments.RunId();
        var command = new Command("cancel", "Stop a run: committed partitions stay, the rest are marked cancelled.") { runId };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var id = parse.GetValue(runId);
            var ledger = host.Services.GetRequiredService<RunLedger>();
            if (!await ledger.RequestCancelAsync(id, "cancelled by the user", cancellationToken))
            {
                throw new BatchScoringException(await ledger.GetAsync(id, cancellationToken) is { } run
                    ? $"Run {id} is not running (its status is {run.Status}); nothing to cancel."
                    : $"There is no run {id} (see `{CliCommand.Here("runs")}`).");
            }
            await ledger.FinishRunIfDoneAsync(id, cancellationToken);
            Console.WriteLine($"Run {id}: cancellation requested; partitions being scored stop at their next lease renewal.");
            return ExitCodes.Succeeded;
        }));
        return command;
    }

    /// <summary>
    /// A run of a job that writes by run replaces the job's earlier runs in its table, so it must score the whole source. (A
    /// job that replaces by run by default has no timestamp column, which a range needs: the source says so.)
    /// </summary>
    private static void ThrowIfReplacesByRun(JobSpec job, string what)
    {
        if (job.Output is { Mode: OutputMode.Upsert, Replace: OutputReplace.Run, ReplaceIsDefault: false })
            throw new BatchScoringException(
                $"Job '{job.Name}' ({job.FilePath}) writes output.replace: run: each run replaces the rows of the job's earlier runs, so it scores the whole source, and {what} would drop every row outside its range. Use 'run' without a range, or output.replace: partition.");
    }

    private static string Scope(JobTime time, TimeWindow? window) => window is null ? "the whole source" : time.Describe(window);

    /// <summary>The range aligned the way scheduled windows are (the same rule), as one run's window.</summary>
    private static TimeWindow BackfillRange(JobSpec job, TimeWindow requested)
    {
        if (job.Window.Size is null && job.Partitioning.Grain is null)
            return requested;
        var windows = JobWindows.ForRange(job, requested.StartUtc, requested.EndUtc);
        return windows.Count == 0 ? requested : new TimeWindow(windows[0].StartUtc, windows[^1].EndUtc);
    }

    /// <summary>A second Ctrl+C gives back the partitions this process holds before it exits.</summary>
    private static void OnForcedExit(IHost host, ConsoleSignals? signals)
    {
        var pool = host.Services.GetRequiredService<PartitionWorkerPool>();
        signals?.OnForcedExit(pool.AbandonHeldAsync);
    }

    public static JobSpec LoadJob(IServiceProvider services, string name)
    {
        var directory = services.GetRequiredService<IOptions<JobsOptions>>().Value.Directory;
        try
        {
            return JobSpecLoader.LoadByName(directory, name);
        }
        catch (FileNotFoundException e) when (Directory.Exists(directory))
        {
            var known = Directory.EnumerateFiles(directory, "*.y*ml").Select(Path.GetFileNameWithoutExtension).OfType<string>();
            throw new Core.Errors.BatchScoringException(e.Message.TrimEnd('.') + NameSuggestion.DidYouMean(name, known), e);
        }
    }
}
