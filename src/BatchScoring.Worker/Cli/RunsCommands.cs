using System.CommandLine;
using BatchScoring.Postgres.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.Worker.Cli;

/// <summary><c>runs</c> and <c>runs show</c>: the run ledger as a table.</summary>
internal static class RunsCommands
{
    public static Command Create(IConfigurationRoot configuration)
    {
        var job = new Option<string?>("--job") { Description = "Only runs of this job." };
        var status = CliArguments.Status();
        var limit = new Option<int?>("--limit")
        {
            Description = "At most this many runs (at least 1), newest first; default 20.",
            CustomParser = result => CliArguments.AtLeastOne(result, "--limit"),
        };
        var command = new Command("runs", "List runs, newest first.") { job, status, limit };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var runs = await host.Services.GetRequiredService<RunLedger>().ListAsync(parse.GetValue(job), parse.GetValue(status), parse.GetValue(limit) ?? 20, cancellationToken);
            Console.WriteLine($"{"run",6}  {"job",-24} {"trigger",-9} {"status",-16} {"rows scored",12} {"failed",8}  started");
            foreach (var run in runs)
                Console.WriteLine($"{run.RunId,6}  {run.JobName,-24} {run.Trigger,-9} {run.Status,-16} {run.RowsScored,12:N0} {run.RowsFailed,8:N0}  {run.StartedAt:yyyy-MM-dd HH:mm:ss}");
            return ExitCodes.Succeeded;
        }));
        command.Subcommands.Add(Show(configuration));
        return command;
    }

    private static Command Show(IConfigurationRoot configuration)
    {
        var runId = CliArguments.RunId();
        var command = new Command("show", "One run: its window, model, counts, error, and every partition.") { runId };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var id = parse.GetValue(runId);
            var run = await host.Services.GetRequiredService<RunLedger>().GetAsync(id, cancellationToken);
            if (run is null)
            {
                Console.Error.WriteLine($"There is no run {id}.");
                return ExitCodes.InvalidInput;
            }
            Console.WriteLine($"Run {run.RunId} of {run.JobName} ({run.Trigger}): {run.Status}");
            Console.WriteLine($"  window   {(run.WindowStart is null ? "whole source" : $"{run.WindowStart:O} .. {run.WindowEnd:O}")}");
            Console.WriteLine($"  model    {run.ModelName} {run.ModelVersion}");
            Console.WriteLine($"  rows     {run.RowsRead:N0} read, {run.RowsScored:N0} scored, {run.RowsFailed:N0} dead-lettered");
            Console.WriteLine($"  time     {run.StartedAt:O} .. {run.FinishedAt:O}");
            if (run.Error is not null)
                Console.WriteLine($"  error    {run.Error}");
            Console.WriteLine();
            Console.WriteLine($"{"partition",10}  {"key",-36} {"status",-10} {"tries",5} {"rows",10} {"failed",7}  error");
            foreach (var p in await host.Services.GetRequiredService<PartitionLedger>().PartitionsAsync(id, cancellationToken))
                Console.WriteLine($"{p.PartitionId,10}  {p.PartitionKey,-36} {p.Status,-10} {p.Attempts,5} {p.RowsScored,10:N0} {p.RowsFailed,7:N0}  {p.LastError}");
            return ExitCodes.Succeeded;
        }));
        return command;
    }
}
