using System.Globalization;
using BatchScoring.Core.Drift;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Reports;

namespace BatchScoring.Worker.Demo;

/// <summary>The drift report of a demo run as the HTML file <c>report &lt;run-id&gt;</c> writes, in <c>Demo:ReportDirectory</c>.</summary>
internal sealed class DemoReport(IServiceProvider services)
{
    public async Task<DriftReport> LoadAsync(long runId, CancellationToken cancellationToken)
        => (await DriftReportDocument.LoadAsync(services, runId, cancellationToken)).Report;

    public async Task<(string Path, DriftReport Report)> WriteAsync(long runId, string directory, CancellationToken cancellationToken)
    {
        var document = await DriftReportDocument.LoadAsync(services, runId, cancellationToken);
        Directory.CreateDirectory(directory);
        var destination = ReportDestination.Check(Path.Combine(directory, $"drift-run-{runId.ToString(CultureInfo.InvariantCulture)}.html"), force: false);
        await destination.WriteAsync(DriftReportHtml.Render(document), cancellationToken);
        return (destination.Path!, document.Report);
    }
}
