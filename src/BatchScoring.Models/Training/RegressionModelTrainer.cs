using BatchScoring.Core.Batches;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace BatchScoring.Models.Training;

/// <summary>Trains a FastTree regression on a columnar batch (numeric label); for the tests and examples.</summary>
public static class RegressionModelTrainer
{
    public static void TrainAndSave(RowBatch data, BinaryModelTrainer.Options options, string path)
    {
        var ml = new MLContext(seed: 1);
        var features = new FeaturePipeline(options.NumericFeatures, options.CategoricalFeatures);
        var pipeline = features.Encode(ml)
            .Append(ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                LabelColumnName = FeaturePipeline.LabelColumn,
                FeatureColumnName = FeaturePipeline.FeaturesColumn,
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
            }));
        var model = pipeline.Fit(features.TrainingView(data, NumberDataViewType.Single, options.LabelColumn));
        features.Save(ml, model, path);
    }
}
