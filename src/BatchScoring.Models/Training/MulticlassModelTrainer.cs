using BatchScoring.Core.Batches;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace BatchScoring.Models.Training;

/// <summary>
/// Trains a multiclass maximum-entropy model (SDCA) on a columnar batch whose label is a text
/// column; classes are ordered by value and the predicted label is mapped back to the class text. For the tests and examples
/// (the tree options do not apply).
/// </summary>
public static class MulticlassModelTrainer
{
    public static void TrainAndSave(RowBatch data, BinaryModelTrainer.Options options, string path)
    {
        var ml = new MLContext(seed: 1);
        var features = new FeaturePipeline(options.NumericFeatures, options.CategoricalFeatures);
        // The label's text → key mapping is fitted apart, so the saved model does not need a label to score;
        // the key values still reach the scores as their slot names, i.e. the class names.
        var training = features.TrainingView(data, TextDataViewType.Instance, options.LabelColumn);
        var keyed = ml.Transforms.Conversion.MapValueToKey(FeaturePipeline.LabelColumn, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(training).Transform(training);
        var pipeline = features.Encode(ml)
            .Append(ml.Transforms.NormalizeMinMax(FeaturePipeline.FeaturesColumn))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(
                FeaturePipeline.LabelColumn, FeaturePipeline.FeaturesColumn))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(keyed);
        features.Save(ml, model, path);
    }
}
