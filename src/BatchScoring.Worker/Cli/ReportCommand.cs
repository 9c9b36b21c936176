using System.CommandLine;
using System.Globalization;
using BatchScoring.Worker.Reports;
using Microsoft.Extensions.Configuration;

namespace BatchScoring.Worker.Cli;

/// <summary>
/// <c>batchscoring report &lt;run-id&gt; [--format html|json] [-o file|-] [--force]</c>: a run's drift report as one
/// self-contained HTML file, or the same content as one JSON document.
/// </summary>
internal static class ReportCommand
{
    private const string Html = "html";
    private const string Json = "json";

    public static Command Create(IConfigurationRoot configuration)
    {
        var runId = new Argument<long>("run-id") { Description = "The run whose drift report to write (scoring.drift_runs.run_id)." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "html (default): one self-contained page; json: the same content as one JSON document (fields in the README).",
            DefaultValueFactory = _ => Html,
        }.AcceptOnlyFromAmong(Html, Json);
        var output = new Option<string>("--output", "-o")
        {
            Description = "The file to write, or - for stdout; default drift-run-<run-id>.html (.json) in the current folder. An existing file is replaced only if it is a drift report.",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite the --output file even if it is not a drift report." };
        var command = new Command("report", "Write a run's drift report (summary, then every feature by drift with its histogram and trend) as one HTML file that needs no network, or as JSON.")
        {
            runId, format, output, force,
        };
        command.SetAction((parse, cancellationToken) => CliAction.RunAsync(async () =>
        {
            var id = parse.GetValue(runId);
            var json = parse.GetValue(format) == Json;
            var destination = ReportDestination.Check(
                parse.GetValue(output) ?? $"drift-run-{id.ToString(CultureInfo.InvariantCulture)}.{(json ? Json : Html)}", parse.GetValue(force));
            using var host = await CliHost.CurrentAsync(configuration, cancellationToken);
            var document = await DriftReportDocument.LoadAsync(host.Services, id, cancellationToken);
            await destination.WriteAsync(json ? OutputFormat.Serialize(DriftReportJson.Of(document)) + "\n" : DriftReportHtml.Render(document), cancellationToken);
            if (destination.Path is { } path)
                Console.WriteLine($"Wrote the drift report of run {id} ({document.Report.Features.Count} features) to {path}");
            return ExitCodes.Succeeded;
        }));
        return command;
    }
}
