using System.Diagnostics;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.Training;
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
/// The embedded default: migrations, a synthetic customer table, a FastTree churn model trained
/// on separate rows of the same distribution, one run of the demo job, and a summary.
/// A second demo reuses the data and the model.
/// </summary>
internal sealed class DemoRunner(
    NpgsqlDataSource dataSource,
    MigrationRunner migrations,
    JobRunner runner,
    IOptions<DemoOptions> demoOptions,
    IOptions<JobsOptions> jobsOptions,
    IOptions<ModelsOptions> modelsOptions,
    ILogger<DemoRunner> logger)
{
    public const string JobName = "demo-churn";
    private const int TrainingRows = 60_000;

    public async Task<int> RunAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var demo = demoOptions.Value;
        await migrations.ApplyAsync(cancellationToken);

        var stopwatch = Stopwatch.StartNew();
        var generated = await DemoDataset.EnsureAsync(dataSource, demo.Rows, demo.Seed, cancellationToken);
        if (generated)
            logger.LogInformation("Generated {Rows} rows into {Table} in {Seconds:F1} s", demo.Rows, DemoDataset.Table, stopwatch.Elapsed.TotalSeconds);
        else
            logger.LogInformation("Reusing {Rows} rows in {Table}", demo.Rows, DemoDataset.Table);

        var job = LoadJob();
        var modelPath = Path.Combine(modelsOptions.Value.Directory, job.Model.Champion.Path!);
        if (!File.Exists(modelPath))
        {
            stopwatch.Restart();
            TrainModel(modelPath, demo.Seed);
            logger.LogInformation("Trained a FastTree model on {Rows} rows into {Path} in {Seconds:F1} s", TrainingRows, modelPath, stopwatch.Elapsed.TotalSeconds);
        }

        var outcome = await runner.RunAsync(job, RunTrigger.Manual, cancellationToken);
        RunSummary.Print(outcome, json: false);
        if (outcome.Status == RunStatus.Succeeded)
            PrintNextSteps(configuration, outcome.Output);
        return CliAction.ExitCodeOf(outcome, cancellationToken);
    }

    private JobSpec LoadJob()
    {
        var directory = jobsOptions.Value.Directory;
        var onDisk = Path.Combine(directory, JobName + ".yaml");
        if (File.Exists(onDisk))
            return JobSpecLoader.LoadFile(onDisk);
        return JobSpecLoader.Parse(EmbeddedJobs.Read(JobName)!, $"(built-in) {JobName}.yaml");
    }

    private static void TrainModel(string path, int seed)
    {
        // Training rows come from the same distribution as the scored table but with other keys and another seed.
        var training = RowBatch.Concat(SyntheticChurnData.Schema,
            SyntheticChurnData.Generate(TrainingRows, seed + 1, firstKey: 1_000_000_000).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn), path);
    }

    private static void PrintNextSteps(IConfiguration configuration, string outputTable)
    {
        var connection = new NpgsqlConnectionStringBuilder(
            AppConfiguration.ConfiguredConnectionString(configuration) ?? DatabaseLocator.LocalCluster(configuration).ConnectionString);
        var query = $"SELECT * FROM {outputTable} ORDER BY probability DESC LIMIT 10";
        Console.WriteLine();
        Console.WriteLine("Look at the scores:");
        Console.WriteLine($"  psql -h {connection.Host} -p {connection.Port} -U {connection.Username} -d {connection.Database} -c \"{query}\"");
        if (AppConfiguration.ConfiguredConnectionString(configuration) is null)
            Console.WriteLine($"The local PostgreSQL keeps running; stop it with: {CliCommand.Here("demo stop")}");
    }
}
