using System.Globalization;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Description;
using BatchScoring.Models.Loading;
using BatchScoring.Models.MlNet;

namespace BatchScoring.Models.Trees;

/// <summary>
/// Scores an XGBoost JSON or LightGBM text model with <see cref="FlatTreeEnsemble"/>, which must first agree exactly with
/// <see cref="ParsedTreeWalk"/> on probe rows. Its inputs are the model's features by name (XGBoost: float32, as XGBoost reads
/// them; LightGBM: double), renamed to source columns by <c>model.inputs</c>. Binary models write <c>score</c> (the margin),
/// <c>probability</c> and <c>predicted_label</c> (probability &gt; 0.5); regressions <c>score</c>; multiclass models
/// <c>predicted_label</c> and <c>probability_&lt;class&gt;</c> for classes <c>0 … K-1</c>.
/// </summary>
public sealed class TreeModelScorer : IModelScorer
{
    private const int ProbeRows = 512;

    private readonly ParsedTrees _model;
    private readonly FlatTreeEnsemble _ensemble;
    private readonly string _path;
    private readonly string[] _columns;
    private readonly bool _negativeClass;

    private TreeModelScorer(ParsedTrees model, FlatTreeEnsemble ensemble, string path, string[] columns, IReadOnlyList<string>? origins, bool negativeClass)
    {
        _model = model;
        _ensemble = ensemble;
        _path = path;
        _columns = columns;
        _negativeClass = negativeClass;
        var kind = model.StrictSplits ? ColumnKind.Float32 : ColumnKind.Float64;
        Inputs = columns.Select((c, i) => new ModelInput(c, kind, Origin: origins?[i])).ToArray();
        Classes = model.Kind == TreeObjective.Multiclass ? Enumerable.Range(0, model.Groups).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()
            : model.Kind == TreeObjective.Binary ? ["0", "1"] : [];
        Task = model.Kind switch
        {
            TreeObjective.Binary => ModelTask.BinaryClassification,
            TreeObjective.Multiclass => ModelTask.MulticlassClassification,
            _ => ModelTask.Regression,
        };
        Outputs = Task switch
        {
            ModelTask.BinaryClassification => [PredictionColumns.ScoreColumn, PredictionColumns.ProbabilityColumn, PredictionColumns.BinaryLabelColumn],
            ModelTask.MulticlassClassification => PredictionColumns.Multiclass(Classes),
            _ => [PredictionColumns.ScoreColumn],
        };
        var type = kind == ColumnKind.Float32 ? "float" : "double";
        Description = new ModelDescription(model.Format, Task,
            model.FeatureNames.Select((f, i) => new ModelPort(f, model.CategoricalFeatures[i] ? $"{type} (categorical)" : type, "")).ToArray(),
            Outputs.Select(o => new ModelPort(o.Name, o.Kind.ToString(), "")).ToArray(), Classes, columns);
    }

    public IReadOnlyList<ModelInput> Inputs { get; }
    public IReadOnlyList<ColumnSchema> Outputs { get; }
    public ModelTask Task { get; }
    public IReadOnlyList<string> Classes { get; }
    public ModelDescription Description { get; }
    /// <summary>The objective as the file names it (binary:logistic, multiclass, …).</summary>
    public string Objective => _model.Objective;

    public static TreeModelScorer LoadXgboost(byte[] bytes, string path) => Create(XgboostJsonReader.Read(bytes, path), path);

    public static TreeModelScorer LoadLightGbm(byte[] bytes, string path) => Create(LightGbmTextReader.Read(bytes, path), path);

    private static TreeModelScorer Create(ParsedTrees model, string path)
    {
        var ensemble = FlatTreeEnsemble.Compile(model);
        var scorer = new TreeModelScorer(model, ensemble, path, [.. model.FeatureNames], null, false);
        scorer.CheckAgainstTheFilesOwnRule();
        return scorer;
    }

    public IScorer Bind(ModelSpec model)
    {
        var negative = false;
        if (model.PositiveClass is { } positive)
        {
            if (Task != ModelTask.BinaryClassification || positive.Value is not ("0" or "1"))
                throw positive.Location.Error(Task == ModelTask.BinaryClassification
                    ? $"'model.positive_class': '{positive.Value}' is not a class of {_model.Format} model {_path}; its classes are 0, 1"
                    : $"'model.positive_class' applies to a binary classifier; {_model.Format} model {_path} is {_model.Objective}");
            negative = positive.Value == "0";
        }
        if (model.Inputs is not { } inputs)
            return negative ? new TreeModelScorer(_model, _ensemble, _path, _columns, null, true) : this;
        if (inputs.Count != _columns.Length)
        {
            throw (model.InputsLocation ?? inputs[0].Location).Error(
                $"'model.inputs' lists {inputs.Count} column(s) but {_model.Format} model {_path} has {_columns.Length} features " +
                $"({string.Join(", ", _model.FeatureNames)}); list one source column per feature, in the model's feature order");
        }
        var origins = inputs.Select((c, i) => $"{c.Location}: 'model.inputs' item {i + 1} ('{c.Value}') feeds feature '{_model.FeatureNames[i]}' of {_model.Format} model {_path}").ToArray();
        return new TreeModelScorer(_model, _ensemble, _path, inputs.Select(c => c.Value).ToArray(), origins, negative);
    }

    public RowBatch Score(RowBatch batch)
    {
        var rows = batch.Count;
        var result = new RowBatch(Outputs, Math.Max(rows, 1)) { Count = rows };
        if (rows == 0)
            return result;
        var width = _columns.Length;
        var features = new double[rows * width];
        for (var f = 0; f < width; f++)
        {
            var column = batch[_columns[f]];
            if (_model.StrictSplits)
            {
                var values = ColumnConversions.ToNumbers<float>(column, rows);
                for (var row = 0; row < rows; row++)
                    features[row * width + f] = values[row];
            }
            else
            {
                var values = ColumnConversions.ToNumbers<double>(column, rows);
                for (var row = 0; row < rows; row++)
                    features[row * width + f] = values[row];
            }
        }
        var margins = Margins(features, rows, _ensemble.Evaluate);
        Write(margins, result);
        return result;
    }

    private double[] Margins(double[] features, int rows, EvaluateTrees evaluate)
    {
        var groups = _model.Groups;
        var margins = new double[rows * groups];
        for (var row = 0; row < rows; row++)
            _model.BaseMargin.CopyTo(margins, row * groups);
        evaluate(features, rows, margins);
        if (_model.AverageTrees)
        {
            var iterations = _model.Trees.Count / groups;
            for (var i = 0; i < margins.Length; i++)
                margins[i] /= iterations;
        }
        return margins;
    }

    private delegate void EvaluateTrees(ReadOnlySpan<double> features, int rows, Span<double> margins);

    private void Write(double[] margins, RowBatch result)
    {
        var rows = result.Count;
        switch (Task)
        {
            case ModelTask.Regression:
            {
                var scores = result.Column<float>(PredictionColumns.Score).Values;
                for (var row = 0; row < rows; row++)
                    scores[row] = (float)(_model.Kind == TreeObjective.LogRegression ? Math.Exp(margins[row]) : margins[row]);
                break;
            }
            case ModelTask.BinaryClassification:
            {
                var scores = result.Column<float>(PredictionColumns.Score).Values;
                var probabilities = result.Column<float>(PredictionColumns.Probability).Values;
                var labels = result.Column<bool>(PredictionColumns.PredictedLabel).Values;
                for (var row = 0; row < rows; row++)
                {
                    var p = 1 / (1 + Math.Exp(-_model.SigmoidScale * margins[row]));
                    scores[row] = (float)(_negativeClass ? -margins[row] : margins[row]);
                    probabilities[row] = (float)(_negativeClass ? 1 - p : p);
                    labels[row] = probabilities[row] > 0.5f;
                }
                break;
            }
            default:
            {
                var groups = _model.Groups;
                var labels = result.Column<string>(PredictionColumns.PredictedLabel);
                var probabilities = result.Columns.Skip(1).Select(c => ((BatchColumn<float>)c).Values).ToArray();
                for (var row = 0; row < rows; row++)
                {
                    var logits = margins.AsSpan(row * groups, groups);
                    var max = double.NegativeInfinity;
                    var best = 0;
                    for (var c = 0; c < groups; c++)
                    {
                        if (logits[c] > max)
                            (max, best) = (logits[c], c);
                    }
                    var sum = 0.0;
                    for (var c = 0; c < groups; c++)
                        sum += Math.Exp(logits[c] - max);
                    for (var c = 0; c < groups; c++)
                        probabilities[c][row] = (float)(Math.Exp(logits[c] - max) / sum);
                    labels.Set(row, Classes[best]);
                }
                break;
            }
        }
    }

    /// <summary>Refuses the model unless the flattened trees give exactly the margins of the file's own rule on probe rows.</summary>
    private void CheckAgainstTheFilesOwnRule()
    {
        var probes = _ensemble.ProbeFeatures(ProbeRows);
        if (_model.StrictSplits)
        {
            for (var i = 0; i < probes.Length; i++)
                probes[i] = (float)probes[i];
        }
        var flat = Margins(probes, ProbeRows, _ensemble.Evaluate);
        var walked = Margins(probes, ProbeRows, (f, r, m) => ParsedTreeWalk.Evaluate(_model, f, r, m));
        for (var i = 0; i < flat.Length; i++)
        {
            if (flat[i].CompareTo(walked[i]) != 0)
                throw new SchemaMismatchException($"{_model.Format} model {_path}: the compiled trees disagree with the file's trees on probe row {i / _model.Groups} ({flat[i]} vs {walked[i]}).");
        }
    }
}
