using System.CommandLine;
using System.Globalization;
using BatchScoring.Core.Errors;
using BatchScoring.Postgres.Drift;
using BatchScoring.Postgres.Ledger;
using BatchScoring.Worker.Reports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.Worker.Cli;

/// <summary><c>batchscoring report &lt;run-id&gt; [-o file.html|-] [--force]</c>: a run's drift report as one self-contained HTML file.</summary>
internal static class ReportCommand
{
    public static Command Create(IConfigurationRoot configuration)
    {
        var runId = new Argument<long>("run-id") { Description = "The run whose drift report to write (scoring.drift_runs.run_id)." };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The HTML file to write, or - for stdout; default drift-run-<run-id>.html in the current folder. An existing file is replaced only if it is a drift report.",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite the --output file even if it is not a drift report." };
        var command = new Command("report", "Write a run's drift report (summary, then every feature by drift with its histograms) as one HTML file that needs no network.")
        {
            runId, output, force,
        };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            var id = parse.GetValue(runId);
            var destination = ReportDestination.Check(parse.GetValue(output) ?? $"drift-run-{id.ToString(CultureInfo.InvariantCulture)}.html", parse.GetValue(force));
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var store = host.Services.GetRequiredService<DriftReportStore>();
            var stored = await store.LoadAsync(id, cancellationToken)
                ?? throw new BatchScoringException(MissingReportReason.Of(id, await store.LoadStateAsync(id, cancellationToken)));
            var run = await host.Services.GetRequiredService<RunLedger>().GetAsync(id, cancellationToken);
            var title = run is null ? $"Drift report — run {id}" : $"Drift report — run {id} of job {run.JobName}";
            var html = DriftReportHtml.Render($"{title} ({stored.CreatedAt:yyyy-MM-dd HH:mm} UTC)", stored.Report);
            await destination.WriteAsync(html, cancellationToken);
            if (destination.Path is { } path)
                Console.WriteLine($"Wrote the drift report of run {id} ({stored.Report.Features.Count} features) to {path}");
            return ExitCodes.Succeeded;
        }));
        return command;
    }
}
