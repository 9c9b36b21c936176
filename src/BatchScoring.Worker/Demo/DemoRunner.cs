using System.Globalization;
using BatchScoring.Core.Drift;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Execution;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchScoring.Worker.Demo;

/// <summary>
/// The embedded default, as a story: synthetic customers over two windows (the second drifted), a churn model
/// registered with the first window as its drift reference, a run of each window, the second run's drift report,
/// a few scored rows, read access for analysts, and the commands to try next. A second demo reuses data and model.
/// </summary>
internal sealed class DemoRunner(
    NpgsqlDataSource dataSource,
    MigrationRunner migrations,
    JobRunner runner,
    DemoModel model,
    DemoReport report,
    DemoTables tables,
    IOptions<DemoOptions> demoOptions,
    IOptions<JobsOptions> jobsOptions,
    IOptions<ModelsOptions> modelsOptions,
    ILogger<DemoRunner> logger)
{
    public const string JobName = "demo-churn";
    private const int ShownRows = 5;

    public async Task<int> RunAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var demo = demoOptions.Value;
        await migrations.ApplyAsync(cancellationToken);

        var generated = await DemoDataset.EnsureAsync(dataSource, demo.Rows, demo.Seed, cancellationToken);
        var secondRows = DemoDataset.SecondWindowRows(demo.Rows);
        logger.LogInformation("{Action} {Rows} + {Drifted} drifted rows in {Table}",
            generated ? "Generated" : "Reusing", demo.Rows, secondRows, DemoDataset.Table);

        var job = LoadJob();
        var output = job.Output.Table ?? throw new BatchScoringException($"The demo job {JobName} must write a table (output.table).");
        var champion = await model.EnsureAsync(Path.Combine(modelsOptions.Value.Directory, DemoModel.Name + ".zip"), demo.Seed, cancellationToken);
        Console.WriteLine($"Model {champion} ({DemoModel.Alias}) is registered with a drift reference: the first window, {DemoDataset.ReferenceView}.");

        Console.WriteLine();
        Console.WriteLine($"First window {Describe(DemoDataset.FirstWindow)}: {demo.Rows:N0} customers");
        var first = await ScoreAsync(job, DemoDataset.FirstWindow, cancellationToken);
        if (first.Status != RunStatus.Succeeded)
            return CliAction.ExitCodeOf(first, cancellationToken);
        Console.WriteLine($"  drift        {Verdict(await report.LoadAsync(first.RunId, cancellationToken))}");

        Console.WriteLine();
        Console.WriteLine($"Second window {Describe(DemoDataset.SecondWindow)}: {secondRows:N0} customers, charges up and a new payment method");
        var second = await ScoreAsync(job, DemoDataset.SecondWindow, cancellationToken);
        if (second.Status != RunStatus.Succeeded)
            return CliAction.ExitCodeOf(second, cancellationToken);
        var (reportPath, drift) = await report.WriteAsync(second.RunId, demo.ReportDirectory, cancellationToken);
        Console.WriteLine($"  drift        {Verdict(drift)}");
        Console.WriteLine($"  report       {reportPath}");

        await PrintRowsAsync(output, second.RunId, cancellationToken);
        await tables.GrantAnalystAsync(output, cancellationToken);
        DemoNextSteps.Print(configuration, second.RunId, output);
        return ExitCodes.Succeeded;
    }

    private async Task<RunOutcome> ScoreAsync(JobSpec job, TimeWindow window, CancellationToken cancellationToken)
    {
        var outcome = await runner.RunAsync(job, RunTrigger.Manual, cancellationToken, window);
        RunSummary.Print(outcome, json: false);
        return outcome;
    }

    private async Task PrintRowsAsync(SqlIdentifier output, long runId, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"The {ShownRows} customers of run {runId} most likely to churn ({output}):");
        Console.WriteLine($"  {"customer_id",11}  {"monthly_charges",15}  {"payment_method",-16}  {"probability",11}  predicted_label");
        foreach (var row in await tables.TopRowsAsync(output, runId, ShownRows, cancellationToken))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {row.CustomerId,11}  {row.MonthlyCharges,15:F2}  {row.PaymentMethod,-16}  {row.Probability,11:F3}  {(row.PredictedLabel ? "true" : "false")}"));
        }
    }

    private static string Verdict(DriftReport drift)
    {
        var s = drift.Summary;
        var drifted = drift.BySeverity.Where(f => f.Drifted && f.Role == FeatureRole.Input).Select(f => f.Feature).ToArray();
        var verdict = s.DatasetDrift ? "dataset drift" : drifted.Length > 0 ? "some features drifted" : "no drift";
        return drifted.Length == 0
            ? $"{verdict} ({s.InputFeatures} features compared with {s.Reference})"
            : $"{verdict}: {s.DriftedInputFeatures} of {s.InputFeatures} features against {s.Reference}: {string.Join(", ", drifted)}";
    }

    private static string Describe(TimeWindow window)
        => string.Create(CultureInfo.InvariantCulture, $"{window.StartUtc:yyyy-MM-dd} .. {window.EndUtc:yyyy-MM-dd} (UTC)");

    /// <summary>The job file of Jobs:Directory; written there from the built-in copy when missing, so that the
    /// commands the demo suggests (<c>backfill</c>, <c>worker</c>) find the job too.</summary>
    private JobSpec LoadJob()
    {
        var onDisk = Path.Combine(jobsOptions.Value.Directory, JobName + ".yaml");
        if (!File.Exists(onDisk))
        {
            Directory.CreateDirectory(jobsOptions.Value.Directory);
            File.WriteAllText(onDisk, EmbeddedJobs.Read(JobName)!);
            logger.LogInformation("Wrote the demo job to {Path}", onDisk);
        }
        return JobSpecLoader.LoadFile(onDisk);
    }
}
