using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.MlNet;
using BatchScoring.Models.Trees;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// The fast path for a boosted tree ensemble in ONNX (<see cref="OnnxTreeEnsembles"/>): the trees are evaluated by
/// <see cref="FlatTreeEnsemble"/> on the float32 features, and the post transform applied in float32 as ONNX Runtime does.
/// It is used only when it gives ONNX Runtime's own outputs on probe rows built from the trees' thresholds (probabilities
/// and scores within 1e-5, the same labels wherever the probability is not within 1e-5 of a tie); otherwise the session runs.
/// </summary>
internal sealed class CompiledOnnxTrees
{
    private const int ProbeRows = 512;
    private const float Tolerance = 1e-5f;

    private readonly ParsedTrees _model;
    private readonly FlatTreeEnsemble _ensemble;
    private readonly string[] _columns;
    private readonly PythonOnnxOutputs _outputs;

    private CompiledOnnxTrees(ParsedTrees model, FlatTreeEnsemble ensemble, string[] columns, PythonOnnxOutputs outputs)
    {
        _model = model;
        _ensemble = ensemble;
        _columns = columns;
        _outputs = outputs;
    }

    /// <param name="session">Scores a batch with ONNX Runtime, for the agreement check.</param>
    public static CompiledOnnxTrees? TryCreate(OnnxModel model, OnnxFeed[] feeds, IOnnxOutputs outputs, Func<RowBatch, RowBatch> session)
    {
        if (feeds is not [{ Columns.Count: > 0 } feed] || outputs is not PythonOnnxOutputs python
            || OnnxTreeEnsembles.TryRead(model, feed.Name) is not { } trees || trees.FeatureNames.Count != feed.Columns.Count)
            return null;
        var expected = trees.Kind switch
        {
            TreeObjective.Binary => ModelTask.BinaryClassification,
            TreeObjective.Multiclass => ModelTask.MulticlassClassification,
            _ => ModelTask.Regression,
        };
        if (python.Task != expected || (expected == ModelTask.MulticlassClassification && python.Classes.Count != trees.Groups))
            return null;
        var compiled = new CompiledOnnxTrees(trees, FlatTreeEnsemble.Compile(trees), [.. feed.Columns], python);
        return compiled.AgreesWith(session) ? compiled : null;
    }

    public void Score(RowBatch batch, RowBatch result)
    {
        var rows = batch.Count;
        var width = _columns.Length;
        var features = new double[rows * width];
        for (var f = 0; f < width; f++)
        {
            var values = ColumnConversions.ToNumbers<float>(batch[_columns[f]], rows);
            for (var row = 0; row < rows; row++)
                features[row * width + f] = values[row];
        }
        Write(features, rows, result);
    }

    private void Write(double[] features, int rows, RowBatch result)
    {
        var groups = _model.Groups;
        var margins = new double[rows * groups];
        for (var row = 0; row < rows; row++)
            _model.BaseMargin.CopyTo(margins, row * groups);
        _ensemble.Evaluate(features, rows, margins);
        switch (_outputs.Task)
        {
            case ModelTask.Regression:
            {
                var scores = result.Column<float>(PredictionColumns.Score).Values;
                for (var row = 0; row < rows; row++)
                    scores[row] = (float)margins[row];
                break;
            }
            case ModelTask.BinaryClassification:
            {
                var probabilities = result.Column<float>(PredictionColumns.Probability).Values;
                var labels = result.TryGetColumn(PredictionColumns.PredictedLabel, out var column) ? ((BatchColumn<bool>)column).Values : null;
                var positiveIsSecond = _outputs.PositiveIndex == 1;
                for (var row = 0; row < rows; row++)
                {
                    var margin = (float)margins[row];
                    probabilities[row] = positiveIsSecond ? Logistic(margin) : Logistic(-margin);
                    if (labels is not null)
                        labels[row] = margin > 0 == positiveIsSecond;
                }
                break;
            }
            default:
            {
                var names = result.Column<string>(PredictionColumns.PredictedLabel);
                var columns = result.Columns.Skip(1).Select(c => ((BatchColumn<float>)c).Values).ToArray();
                var scores = new float[groups];
                for (var row = 0; row < rows; row++)
                {
                    for (var c = 0; c < groups; c++)
                        scores[c] = (float)margins[row * groups + c];
                    var best = Softmax(scores);
                    for (var c = 0; c < groups; c++)
                        columns[c][row] = scores[c];
                    names.Set(row, _outputs.Classes[best]);
                }
                break;
            }
        }
    }

    /// <summary>ONNX Runtime's ComputeLogistic, in float32.</summary>
    private static float Logistic(float x)
    {
        var v = 1f / (1f + MathF.Exp(-MathF.Abs(x)));
        return x < 0 ? 1f - v : v;
    }

    /// <summary>Softmax in place, in float32 as ONNX Runtime computes it; returns the index of the largest score (the first of equals).</summary>
    private static int Softmax(float[] scores)
    {
        var best = 0;
        for (var c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[best])
                best = c;
        }
        var max = scores[best];
        var sum = 0f;
        for (var c = 0; c < scores.Length; c++)
        {
            scores[c] = MathF.Exp(scores[c] - max);
            sum += scores[c];
        }
        for (var c = 0; c < scores.Length; c++)
            scores[c] /= sum;
        return best;
    }

    private bool AgreesWith(Func<RowBatch, RowBatch> session)
    {
        var probes = _ensemble.ProbeFeatures(ProbeRows);
        var batch = new RowBatch(_columns.Select(c => new ColumnSchema(c, ColumnKind.Float32)).ToArray(), ProbeRows) { Count = ProbeRows };
        for (var f = 0; f < _columns.Length; f++)
        {
            var values = batch.Column<float>(_columns[f]).Values;
            for (var row = 0; row < ProbeRows; row++)
                values[row] = (float)probes[row * _columns.Length + f];
        }
        var features = new double[probes.Length];
        for (var i = 0; i < probes.Length; i++)
            features[i] = (float)probes[i];
        var theirs = session(batch);
        var ours = new RowBatch(_outputs.Columns, ProbeRows) { Count = ProbeRows };
        Write(features, ProbeRows, ours);

        var numbers = _outputs.Columns.Where(c => c.Kind == ColumnKind.Float32).Select(c => c.Name).ToArray();
        for (var row = 0; row < ProbeRows; row++)
        {
            var mine = numbers.Select(n => ours.Column<float>(n).Values[row]).ToArray();
            var expected = numbers.Select(n => theirs.Column<float>(n).Values[row]).ToArray();
            if (mine.Where((a, i) => Math.Abs(a - expected[i]) > Tolerance * Math.Max(1, Math.Abs(expected[i]))).Any())
                return false;
            if (ours.TryGetColumn(PredictionColumns.PredictedLabel, out var label) && !NearTie(expected)
                && !Equals(label.GetBoxed(row), theirs[PredictionColumns.PredictedLabel].GetBoxed(row)))
                return false;
        }
        return true;
    }

    /// <summary>Whether the label could go either way: a binary probability at 0.5, or two top class probabilities, within the tolerance.</summary>
    private bool NearTie(float[] probabilities)
    {
        if (_outputs.Task == ModelTask.BinaryClassification)
            return Math.Abs(probabilities[0] - 0.5f) <= Tolerance;
        var sorted = probabilities.OrderDescending().ToArray();
        return sorted.Length > 1 && sorted[0] - sorted[1] <= Tolerance;
    }
}
