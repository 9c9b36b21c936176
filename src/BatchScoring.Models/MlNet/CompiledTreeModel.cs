using System.Reflection;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace BatchScoring.Models.MlNet;

/// <summary>
/// The fast path for the commonest batch model: a featurizing chain (one-hot, concatenate, …) ending in a tree
/// ensemble — a FastTree binary classifier with Platt calibration, or any tree-ensemble regression. ML.NET still
/// computes the <c>Features</c> vector; the trees, which are most of the cost, are evaluated by
/// <see cref="CompiledTreeEnsemble"/>, then the calibrator and the label threshold are applied as ML.NET does.
/// Before use, the compiled model must give bit for bit the outputs of ML.NET's own predictor on probe vectors
/// built from the trees' thresholds; any other model shape, or any difference, keeps ML.NET's transform.
/// </summary>
internal sealed class CompiledTreeModel
{
    private const string DefaultThresholdColumn = "Score";
    private const int ProbeRows = 512;

    private readonly ITransformer _featurizer;
    private readonly string _featuresColumn;
    private readonly CompiledTreeEnsemble _ensemble;
    private readonly PlattCalibrator? _calibrator;

    private CompiledTreeModel(ITransformer featurizer, string featuresColumn, CompiledTreeEnsemble ensemble, PlattCalibrator? calibrator)
    {
        _featurizer = featurizer;
        _featuresColumn = featuresColumn;
        _ensemble = ensemble;
        _calibrator = calibrator;
    }

    public static CompiledTreeModel? TryCreate(ITransformer model, DataViewSchema inputSchema, MlNetOutputs outputs)
    {
        if (model is not TransformerChain<ITransformer> chain || chain.LastTransformer is not { } last)
            return null;
        var (trees, calibrator, featuresColumn) = (last, outputs.Task) switch
        {
            (BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> binary, ModelTask.BinaryClassification)
                when HasDefaultThreshold(binary)
                => (binary.Model.SubModel.TrainedTreeEnsemble, binary.Model.Calibrator, binary.FeatureColumnName),
            (ISingleFeaturePredictionTransformer<TreeEnsembleModelParametersBasedOnRegressionTree> regression, ModelTask.Regression)
                when last.GetType().IsGenericType && last.GetType().GetGenericTypeDefinition() == typeof(RegressionPredictionTransformer<>)
                => (regression.Model.TrainedTreeEnsemble, null, regression.FeatureColumnName),
            _ => ((RegressionTreeEnsemble?)null, (PlattCalibrator?)null, ""),
        };
        if (trees is null)
            return null;

        var featurizer = new TransformerChain<ITransformer>(chain.Take(chain.Count() - 1).ToArray());
        if (featurizer.GetOutputSchema(inputSchema).GetColumnOrNull(featuresColumn)?.Type
            is not VectorDataViewType { ItemType: var item, Size: > 0 and var size } || item != NumberDataViewType.Single)
            return null;
        if (CompiledTreeEnsemble.TryCompile(trees, size) is not { } ensemble)
            return null;
        var compiled = new CompiledTreeModel(featurizer, featuresColumn, ensemble, calibrator);
        return compiled.AgreesWith(last, outputs) ? compiled : null;
    }

    /// <summary>Fills the prediction columns of <paramref name="result"/> (score, and for binary models probability and label).</summary>
    public void Score(IDataView input, RowBatch result)
    {
        var width = _ensemble.FeatureCount;
        var features = new float[result.Count * width];
        var featurized = _featurizer.Transform(input);
        var column = featurized.Schema[_featuresColumn];
        using (var cursor = MlNetCursors.SingleThreaded(featurized, [column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> vector = default;
            for (var row = 0; cursor.MoveNext(); row++)
            {
                getter(ref vector);
                CopyDense(vector, features.AsSpan(row * width, width));
            }
        }
        Predict(features, result);
    }

    private void Predict(float[] features, RowBatch result)
    {
        var rows = result.Count;
        var scores = result.Column<float>(PredictionColumns.Score).Values;
        _ensemble.Evaluate(features, rows, scores);
        if (_calibrator is null)
            return;
        var probabilities = result.Column<float>(PredictionColumns.Probability).Values;
        var labels = result.Column<bool>(PredictionColumns.PredictedLabel).Values;
        for (var row = 0; row < rows; row++)
        {
            probabilities[row] = _calibrator.PredictProbability(scores[row]);
            labels[row] = scores[row] > 0;
        }
    }

    /// <summary>Whether ML.NET's own predictor gives exactly our outputs on the ensemble's probe vectors.</summary>
    private bool AgreesWith(ITransformer predictor, MlNetOutputs outputs)
    {
        var features = _ensemble.ProbeFeatures(ProbeRows);
        var ours = new RowBatch(outputs.Columns, ProbeRows) { Count = ProbeRows };
        Predict(features, ours);
        var theirs = new RowBatch(outputs.Columns, ProbeRows) { Count = ProbeRows };
        outputs.Read(predictor.Transform(FeatureVectors.View(_featuresColumn, features, _ensemble.FeatureCount)), theirs);
        return outputs.Columns.All(c => ours[c.Name] switch
        {
            BatchColumn<float> mine => mine.Values.AsSpan(0, ProbeRows).SequenceEqual(((BatchColumn<float>)theirs[c.Name]).Values.AsSpan(0, ProbeRows)),
            BatchColumn<bool> mine => mine.Values.AsSpan(0, ProbeRows).SequenceEqual(((BatchColumn<bool>)theirs[c.Name]).Values.AsSpan(0, ProbeRows)),
            _ => false,
        });
    }

    private static void CopyDense(in VBuffer<float> vector, Span<float> destination)
    {
        if (vector.Length != destination.Length)
            throw new InvalidOperationException($"The model's features vector has {vector.Length} values, expected {destination.Length}.");
        if (vector.IsDense)
        {
            vector.GetValues().CopyTo(destination);
            return;
        }
        destination.Clear();
        var indices = vector.GetIndices();
        var values = vector.GetValues();
        for (var i = 0; i < indices.Length; i++)
            destination[indices[i]] = values[i];
    }

    /// <summary>
    /// Whether the label is <c>Score &gt; 0</c>, as trained; a threshold moved with <c>ChangeModelThreshold</c> (kept in
    /// fields ML.NET does not make public) takes the ordinary path.
    /// </summary>
    private static bool HasDefaultThreshold(object transformer)
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var type = transformer.GetType();
        return type.GetField("Threshold", Instance)?.GetValue(transformer) is 0f
            && type.GetField("ThresholdColumn", Instance)?.GetValue(transformer) is DefaultThresholdColumn;
    }
}
