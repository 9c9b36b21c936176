using BatchScoring.Core.Batches;
using BatchScoring.Models.MlNet;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace BatchScoring.Models.Training;

/// <summary>
/// Trains a FastTree binary classifier on a columnar batch: numeric features as they are,
/// text features one-hot encoded. Used by <c>demo</c>, the benchmarks and the tests.
/// The model is saved with an input schema of the feature columns only, so it never asks for the label.
/// </summary>
public static class BinaryModelTrainer
{
    public sealed record Options(
        IReadOnlyList<string> NumericFeatures,
        IReadOnlyList<string> CategoricalFeatures,
        string LabelColumn,
        int Trees = 100,
        int Leaves = 31);

    public static void TrainAndSave(RowBatch data, Options options, string path)
    {
        var ml = new MLContext(seed: 1);
        var features = options.NumericFeatures.Select(n => new InputColumn(n, NumberDataViewType.Single, n))
            .Concat(options.CategoricalFeatures.Select(c => new InputColumn(c, TextDataViewType.Instance, c)))
            .ToArray();
        var training = new RowBatchDataView(data, [.. features, new InputColumn("Label", BooleanDataViewType.Instance, options.LabelColumn)]);

        var encoded = options.CategoricalFeatures.Select(c => new InputOutputColumnPair(c + "_onehot", c)).ToArray();
        var pipeline = ml.Transforms.Categorical.OneHotEncoding(encoded)
            .Append(ml.Transforms.Concatenate("Features", [.. options.NumericFeatures, .. encoded.Select(e => e.OutputColumnName)]))
            .Append(ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
            }));
        var model = pipeline.Fit(training);

        var inputSchema = new DataViewSchema.Builder();
        foreach (var feature in features)
            inputSchema.AddColumn(feature.Name, feature.Type);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        ml.Model.Save(model, inputSchema.ToSchema(), temporary);
        File.Move(temporary, path, overwrite: true);
    }
}
