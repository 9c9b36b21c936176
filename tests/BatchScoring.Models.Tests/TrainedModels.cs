using BatchScoring.Core.Batches;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.Onnx;
using BatchScoring.Models.Training;

namespace BatchScoring.Models.Tests;

/// <summary>
/// One model per task trained on synthetic customers, each also converted to ONNX:
/// churn (binary), total charges (regression), contract (multiclass).
/// </summary>
public sealed class TrainedModels : IDisposable
{
    public static readonly string[] RegressionFeatures = SyntheticChurnData.NumericFeatures.Where(f => f != "total_charges").ToArray();
    public static readonly string[] ContractClasses = ["month-to-month", "one-year", "two-year"];

    private readonly string _folder = Directory.CreateTempSubdirectory("batchscoring-models-").FullName;

    public TrainedModels()
    {
        var training = RowBatch.Concat(SyntheticChurnData.Schema, SyntheticChurnData.Generate(5_000, seed: 5).ToList());
        BinaryModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, SyntheticChurnData.CategoricalFeatures, SyntheticChurnData.LabelColumn, Trees: 20, Leaves: 8), Binary);
        RegressionModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            RegressionFeatures, SyntheticChurnData.CategoricalFeatures, "total_charges", Trees: 20, Leaves: 8), Regression);
        MulticlassModelTrainer.TrainAndSave(training, new BinaryModelTrainer.Options(
            SyntheticChurnData.NumericFeatures, ["payment_method"], "contract"), Multiclass);
        OnnxModelExporter.Export(Binary, OnnxOf(Binary));
        OnnxModelExporter.Export(Regression, OnnxOf(Regression));
        OnnxModelExporter.Export(Multiclass, OnnxOf(Multiclass));
    }

    public string Binary => Path.Combine(_folder, "churn.zip");
    public string Regression => Path.Combine(_folder, "charges.zip");
    public string Multiclass => Path.Combine(_folder, "contract.zip");

    public static string OnnxOf(string zip) => Path.ChangeExtension(zip, ".onnx");

    public string Folder => _folder;

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
