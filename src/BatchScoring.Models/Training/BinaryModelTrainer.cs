using BatchScoring.Core.Batches;
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
        var features = new FeaturePipeline(options.NumericFeatures, options.CategoricalFeatures);
        var pipeline = features.Encode(ml)
            .Append(ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = FeaturePipeline.LabelColumn,
                FeatureColumnName = FeaturePipeline.FeaturesColumn,
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
            }));
        var model = pipeline.Fit(features.TrainingView(data, BooleanDataViewType.Instance, options.LabelColumn));
        features.Save(ml, model, path);
    }
}
