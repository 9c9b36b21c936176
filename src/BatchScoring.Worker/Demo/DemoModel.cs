using System.Diagnostics;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.Loading;
using BatchScoring.Models.Training;
using BatchScoring.Postgres.Registry;
using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Execution;
using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.Demo;

/// <summary>
/// The demo's model in the registry: <c>demo-churn@champion</c>, a FastTree model trained on separate rows of the
/// first window's distribution, with the first window profiled as its drift reference. Reused when it exists.
/// </summary>
internal sealed class DemoModel(ModelRegistry registry, ModelFileLoader loader, ReferenceProfileBuilder profiles, ILogger<DemoModel> logger)
{
    public const string Name = "demo-churn";
    public const string Alias = "champion";
    private const int TrainingRows = 60_000;

    /// <summary>The champion version, registered (and trained into <paramref name="trainedFile"/>) when missing.</summary>
    public async Task<ModelRecord> EnsureAsync(string trainedFile, int seed, CancellationToken cancellationToken)
    {
        var champion = (await registry.ListAsync(Name, cancellationToken)).FirstOrDefault(m => m.Aliases.Contains(Alias));
        if (champion is null)
        {
            if (!File.Exists(trainedFile))
                Train(trainedFile, seed);
            champion = await registry.RegisterAsync(Name, trainedFile, [Alias], null, ModelCheck.Describe(loader, trainedFile).Json, cancellationToken);
            logger.LogInformation("Registered {Model} ({Alias}) from {Path}", champion.ToString(), Alias, trainedFile);
        }
        if (!champion.HasReferenceProfile)
        {
            var stopwatch = Stopwatch.StartNew();
            var profile = await profiles.BuildAsync(Name, champion.Version, DemoDataset.ReferenceView, [SyntheticChurnData.KeyColumn], cancellationToken);
            logger.LogInformation("Profiled {Rows} rows of {View} as the drift reference of {Model} in {Seconds:F1} s",
                profile.RowCount, DemoDataset.ReferenceView, champion.ToString(), stopwatch.Elapsed.TotalSeconds);
            champion = champion with { HasReferenceProfile = true };
        }
        return champion;
    }

    private void Train(string path, int seed)
    {
        var stopwatch = Stopwatch.StartNew();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Training rows come from the first window's distribution but with other keys and another seed.
        var training = RowBatch.Concat(SyntheticChurnData.Schema,
            SyntheticChurnData.Generate(TrainingRows, seed + 1, firstKey: 1_000_000_000).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn), path);
        logger.LogInformation("Trained a FastTree model on {Rows} rows into {Path} in {Seconds:F1} s", TrainingRows, path, stopwatch.Elapsed.TotalSeconds);
    }
}
