using System.CommandLine;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Postgres.Output;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.Worker.Cli;

/// <summary><c>runs</c> and <c>runs show</c>: the run ledger as a table or as JSON; <c>runs rollback</c>.</summary>
internal static class RunsCommands
{
    private const int Top = 5;

    public static Command Create(IConfigurationRoot configuration)
    {
        var job = new Option<string?>("--job") { Description = "Only runs of this job." };
        var status = CliArguments.Status();
        var limit = new Option<int?>("--limit")
        {
            Description = "At most this many runs (at least 1), newest first; default 20.",
            CustomParser = result => CliArguments.AtLeastOne(result, "--limit"),
        };
        var output = OutputFormat.Create();
        var command = new Command("runs", "List runs, newest first, with their duration and first error.") { job, status, limit, output };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var runs = await host.Services.GetRequiredService<RunLedger>().ListAsync(parse.GetValue(job), parse.GetValue(status), parse.GetValue(limit) ?? 20, cancellationToken);
            var errors = await host.Services.GetRequiredService<RunSummaries>().FirstErrorsAsync(runs.Select(r => r.RunId).ToArray(), cancellationToken);
            if (OutputFormat.IsJson(parse, output))
            {
                OutputFormat.Write(runs.Select(r => RunsJson.Run(r, errors.GetValueOrDefault(r.RunId))));
                return ExitCodes.Succeeded;
            }
            Console.WriteLine($"{"run",6}  {"job",-24} {"trigger",-9} {"status",-16} {"rows scored",12} {"failed",8}  {"started",-19} {"duration",9}  first error");
            foreach (var run in runs)
            {
                var duration = OutputFormat.Duration(OutputFormat.Seconds(run.StartedAt, run.FinishedAt ?? DateTime.UtcNow));
                Console.WriteLine($"{run.RunId,6}  {run.JobName,-24} {run.Trigger,-9} {run.Status,-16} {run.RowsScored,12:N0} {run.RowsFailed,8:N0}  " +
                                  $"{run.StartedAt,-19:yyyy-MM-dd HH:mm:ss} {duration,9}  {Shorten(errors.GetValueOrDefault(run.RunId), 70)}");
            }
            return ExitCodes.Succeeded;
        }));
        command.Subcommands.Add(Show(configuration));
        command.Subcommands.Add(Rollback(configuration));
        return command;
    }

    private static Command Show(IConfigurationRoot configuration)
    {
        var runId = CliArguments.RunId();
        var partitions = new Option<bool>("--partitions") { Description = "Also list every partition." };
        var output = OutputFormat.Create();
        var command = new Command("show",
            "One run: window, model, counts, duration, partitions by status, the slowest and failed partitions, drift verdict and shadow agreement.")
        {
            runId, partitions, output,
        };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var id = parse.GetValue(runId);
            var run = await host.Services.GetRequiredService<RunLedger>().GetAsync(id, cancellationToken)
                ?? throw new BatchScoringException($"There is no run {id} (see `{CliCommand.Here("runs")}`).");
            var overview = await host.Services.GetRequiredService<RunSummaries>().SummarizeAsync(id, Top, cancellationToken);
            var all = parse.GetValue(partitions) ? await host.Services.GetRequiredService<RunLedger>().PartitionsAsync(id, cancellationToken) : null;
            var firstError = (await host.Services.GetRequiredService<RunSummaries>().FirstErrorsAsync([id], cancellationToken)).GetValueOrDefault(id);
            if (OutputFormat.IsJson(parse, output))
                OutputFormat.Write(RunsJson.Show(run, firstError, overview, all));
            else
                RunShowText.Print(run, overview, all);
            return ExitCodes.Succeeded;
        }));
        return command;
    }

    private static Command Rollback(IConfigurationRoot configuration)
    {
        var runId = CliArguments.RunId();
        var command = new Command("rollback",
            "Take a finished run's rows out of its output table (output.replace: run) and show the runs it replaced again, in one transaction.") { runId };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var id = parse.GetValue(runId);
            var run = await host.Services.GetRequiredService<RunLedger>().GetAsync(id, cancellationToken)
                ?? throw new BatchScoringException($"There is no run {id} (see `{CliCommand.Here("runs")}`).");
            if (run.Status == RunStatus.Running)
                throw new BatchScoringException($"Run {id} is still running; stop it first (`{CliCommand.Here($"cancel {id}")}`).");
            var job = await host.Services.GetRequiredService<OutputTables>().WithTableReplaceAsync(RunCommands.LoadJob(host.Services, run.JobName), cancellationToken);
            if (job.Output is not { Mode: OutputMode.Upsert, Replace: OutputReplace.Run, Table: { } table })
                throw new BatchScoringException(
                    $"Job '{job.Name}' ({job.FilePath}) does not write a table partitioned by run (output.replace: run), so its runs cannot be rolled back; re-run the job with the model or data you want instead.");
            var restored = await host.Services.GetRequiredService<RunPartitions>().RollBackAsync(table, job.Name, id, cancellationToken);
            Console.WriteLine(restored.Count > 0
                ? $"Run {id} rolled back: {table} shows the rows of run {string.Join(", ", restored)} again."
                : $"Run {id} rolled back: its rows left {table}; it had replaced no earlier run, so readers see the runs that were there before it.");
            return ExitCodes.Succeeded;
        }));
        return command;
    }

    public static string Shorten(string? text, int width)
    {
        if (text is null)
            return "";
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= width ? line : line[..(width - 1)] + "…";
    }
}
