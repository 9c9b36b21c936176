using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Sql;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.Loading;
using BatchScoring.Models.Onnx;
using BatchScoring.Models.Training;
using BatchScoring.Postgres.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.IntegrationTests;

/// <summary>
/// <see cref="ScoringEnvironment"/> plus a model per task and a second churn model: churn.zip
/// (binary, the champion), churn-challenger.zip (binary, other rows and trees), churn.onnx (churn.zip
/// converted), charges.zip (regression of total_charges) and contract.zip (multiclass contract), and
/// a model store folder for the registry.
/// </summary>
public class ModelsEnvironment : ScoringEnvironment
{
    public string ChallengerFile => Path.Combine(Folder, "churn-challenger.zip");
    public string OnnxFile => Path.Combine(Folder, "churn.onnx");
    public string RegressionFile => Path.Combine(Folder, "charges.zip");
    public string MulticlassFile => Path.Combine(Folder, "contract.zip");
    public string StoreDirectory => Path.Combine(Folder, "store");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var training = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(5_000, seed: 23, firstKey: 800_000).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn, Trees: 8, Leaves: 4), ChallengerFile);
        RegressionModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures.Where(f => f != "total_charges").ToArray(), SyntheticChurnData.CategoricalFeatures, "total_charges", Trees: 10, Leaves: 8),
            RegressionFile);
        MulticlassModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(SyntheticChurnData.NumericFeatures, ["payment_method"], "contract"), MulticlassFile);
        OnnxModelExporter.Export(ModelFile, OnnxFile);
    }

    public async Task<IHost> MigratedHostAsync()
    {
        var host = await HostAsync(("Models:StoreDirectory", StoreDirectory));
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        return host;
    }

    /// <summary>A job over the customers table scoring with the given models into <paramref name="output"/>.</summary>
    public static JobSpec Job(string name, string output, string champion, string? challenger = null, string? shadowTable = null) => new()
    {
        Name = name,
        FilePath = $"(test) {name}",
        Source = new PostgresTableSourceSpec(SqlIdentifier.Parse(SourceTable), [SyntheticChurnData.KeyColumn]),
        Model = new ModelSpec(Reference(champion), challenger is null ? null : Reference(challenger)),
        Output = new OutputSpec { Table = SqlIdentifier.Parse(output), ShadowTable = shadowTable is null ? null : SqlIdentifier.Parse(shadowTable) },
    };

    private static ModelReference Reference(string text)
        => text.Contains('.') ? ModelReference.File(text)
            : ModelReference.TryParse(text, out var reference, out var error) ? reference : throw new FormatException(error);

    /// <summary>The source rows exactly as <see cref="ScoringEnvironment"/> generated them, scored directly by a model file.</summary>
    public (long[] Keys, RowBatch Scores) ScoreDirectly(string modelFile)
    {
        var rows = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(SourceRows, seed: 21).ToList());
        return (rows.Column<long>(SyntheticChurnData.KeyColumn).Values, new ModelFileLoader().Load(modelFile).Scorer.Score(rows));
    }
}
