using System.Globalization;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// The outputs of ONNX files written by skl2onnx, onnxmltools and tf2onnx: a label tensor (int64 or string,
/// <c>label</c> / <c>output_label</c>), probabilities as a <c>[N,K]</c> tensor or ZipMap's <c>seq(map(key, float))</c>
/// (<c>probabilities</c> / <c>output_probability</c>), or a regressor's <c>variable</c> (or only float output).
/// Two classes make a binary classifier whose probability is the positive class's (the second class unless
/// <c>model.positive_class</c> names another) and whose boolean label is "the label is the positive class";
/// more make a multiclass one. The classes come from the graph's class labels, else from the probability width.
/// </summary>
internal sealed class PythonOnnxOutputs : IOnnxOutputs
{
    private static readonly string[] LabelNames = ["label", "output_label"];
    private static readonly string[] ProbabilityNames = ["probabilities", "output_probability"];

    private readonly string? _label;
    private readonly bool _stringLabels;
    private readonly bool _zipMap;
    private readonly string[] _classes;
    private readonly int _positive;
    private readonly Dictionary<string, int> _classIndex;

    private PythonOnnxOutputs(ModelTask task, string[] names, string? label, bool stringLabels, bool zipMap, string[] classes, int positive)
    {
        Task = task;
        Names = names;
        _label = label;
        _stringLabels = stringLabels;
        _zipMap = zipMap;
        _classes = classes;
        _positive = positive;
        _classIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        Columns = task switch
        {
            ModelTask.MulticlassClassification => PredictionColumns.Multiclass(classes),
            ModelTask.Regression => [PredictionColumns.ScoreColumn],
            _ => label is null ? [PredictionColumns.ProbabilityColumn] : [PredictionColumns.ProbabilityColumn, PredictionColumns.BinaryLabelColumn],
        };
    }

    public ModelTask Task { get; }
    public IReadOnlyList<ColumnSchema> Columns { get; }
    public IReadOnlyList<string> Classes => _classes;
    public string[] Names { get; }
    /// <summary>The class whose probability a binary classifier writes (0 or 1); -1 for other tasks.</summary>
    public int PositiveIndex => _positive;

    /// <summary>The outputs, or null when the model has none of these names.</summary>
    public static PythonOnnxOutputs? TryDescribe(OnnxModel model, LocatedName? positiveClass)
    {
        var metadata = model.Session.OutputMetadata;
        var label = LabelNames.FirstOrDefault(n => metadata.TryGetValue(n, out var m) && m.IsTensor && m.ElementDataType is TensorElementType.Int64 or TensorElementType.String);
        var probabilities = ProbabilityNames.FirstOrDefault(metadata.ContainsKey);
        if (probabilities is null)
            return label is null ? Regression(metadata) : null;

        var probability = metadata[probabilities];
        var zipMap = probability.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE;
        if (!zipMap && !(probability.IsTensor && probability.ElementDataType == TensorElementType.Float && probability.Dimensions.Length == 2))
            return null;
        var classes = ClassNames(model, zipMap ? -1 : probability.Dimensions[1]);
        var stringLabels = label is not null && metadata[label].ElementDataType == TensorElementType.String;
        string[] names = label is null ? [probabilities] : [label, probabilities];
        if (classes.Length > 2)
        {
            if (positiveClass is not null)
                throw positiveClass.Location.Error($"'model.positive_class' applies to a binary classifier; ONNX model {model.Path} has {classes.Length} classes ({string.Join(", ", classes)})");
            return new PythonOnnxOutputs(ModelTask.MulticlassClassification, names, label, stringLabels, zipMap, classes, -1);
        }
        if (classes.Length != 2)
            throw new SchemaMismatchException($"ONNX model {model.Path}: output '{probabilities}' gives {classes.Length} class(es); a classifier needs at least two ({model.Signature}).");
        var positive = 1;
        if (positiveClass is not null)
        {
            positive = Array.IndexOf(classes, positiveClass.Value);
            if (positive < 0)
                throw positiveClass.Location.Error($"'model.positive_class': '{positiveClass.Value}' is not a class of ONNX model {model.Path}; its classes are {string.Join(", ", classes)}");
        }
        return new PythonOnnxOutputs(ModelTask.BinaryClassification, names, label, stringLabels, zipMap, classes, positive);
    }

    private static PythonOnnxOutputs? Regression(IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var floats = metadata.Where(m => m.Value.IsTensor && m.Value.ElementDataType == TensorElementType.Float && m.Value.Dimensions is [_] or [_, 1]).ToArray();
        var variable = metadata.ContainsKey("variable") ? "variable" : floats.Length == 1 && metadata.Count == 1 ? floats[0].Key : null;
        return variable is null || floats.All(f => f.Key != variable)
            ? null
            : new PythonOnnxOutputs(ModelTask.Regression, [variable], null, false, false, [], -1);
    }

    private static string[] ClassNames(OnnxModel model, int width)
    {
        if (model.ClassLabels is { } labels && (width < 0 || labels.Labels.Length == width))
            return labels.Labels;
        if (width > 0)
            return OnnxOutputs.MetadataClassNames(model.Path, model.Session, width);
        throw new SchemaMismatchException($"ONNX model {model.Path}: the probabilities are a ZipMap but the graph names no class labels ({model.Signature}).");
    }

    public void Read(IReadOnlyList<OrtValue> outputs, RowBatch result)
    {
        var count = result.Count;
        if (Task == ModelTask.Regression)
        {
            outputs[0].GetTensorDataAsSpan<float>()[..count].CopyTo(result.Column<float>(PredictionColumns.Score).Values);
            return;
        }
        var label = _label is null ? null : outputs[0];
        var output = outputs[_label is null ? 0 : 1];
        if (Task == ModelTask.BinaryClassification)
        {
            var probability = result.Column<float>(PredictionColumns.Probability).Values;
            if (_zipMap)
            {
                ClassProbabilities(output, count)[_positive].AsSpan(0, count).CopyTo(probability);
            }
            else
            {
                var values = output.GetTensorDataAsSpan<float>();
                for (var row = 0; row < count; row++)
                    probability[row] = values[2 * row + _positive];
            }
            if (label is not null)
                ReadIsPositive(label, result.Column<bool>(PredictionColumns.PredictedLabel).Values, count);
            return;
        }
        var probabilities = ClassProbabilities(output, count);
        for (var c = 0; c < _classes.Length; c++)
            probabilities[c].AsSpan(0, count).CopyTo(result.Column<float>(result.Columns[c + 1].Name).Values);
        var names = result.Column<string>(PredictionColumns.PredictedLabel);
        var numbers = label is not null && !_stringLabels ? label.GetTensorDataAsSpan<long>() : default;
        for (var row = 0; row < count; row++)
        {
            names.Set(row, label is null ? _classes[ArgMax(probabilities, row)]
                : _stringLabels ? label.GetStringElement(row)
                : numbers[row].ToString(CultureInfo.InvariantCulture));
        }
    }

    private void ReadIsPositive(OrtValue label, bool[] labels, int count)
    {
        if (_stringLabels)
        {
            for (var row = 0; row < count; row++)
                labels[row] = label.GetStringElement(row) == _classes[_positive];
            return;
        }
        var positive = long.Parse(_classes[_positive], CultureInfo.InvariantCulture);
        var numbers = label.GetTensorDataAsSpan<long>();
        for (var row = 0; row < count; row++)
            labels[row] = numbers[row] == positive;
    }

    /// <summary>One array of probabilities per class, in class order.</summary>
    private float[][] ClassProbabilities(OrtValue output, int count)
    {
        var width = _classes.Length;
        var perClass = Enumerable.Range(0, width).Select(_ => new float[count]).ToArray();
        if (!_zipMap)
        {
            var values = output.GetTensorDataAsSpan<float>();
            for (var row = 0; row < count; row++)
            {
                for (var c = 0; c < width; c++)
                    perClass[c][row] = values[row * width + c];
            }
            return perClass;
        }
        var allocator = OrtAllocator.DefaultInstance;
        int[]? order = null;
        for (var row = 0; row < count; row++)
        {
            using var map = output.GetValue(row, allocator);
            using var keys = map.GetValue(0, allocator);
            using var values = map.GetValue(1, allocator);
            order ??= KeyOrder(keys);
            var probabilities = values.GetTensorDataAsSpan<float>();
            for (var i = 0; i < order.Length; i++)
                perClass[order[i]][row] = probabilities[i];
        }
        return perClass;
    }

    /// <summary>The class index of each key of a ZipMap map (every row's map has the same keys, in the same order).</summary>
    private int[] KeyOrder(OrtValue keys)
    {
        var strings = keys.GetTensorTypeAndShape().ElementDataType == TensorElementType.String;
        var count = (int)keys.GetTensorTypeAndShape().ElementCount;
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            var key = strings ? keys.GetStringElement(i) : keys.GetTensorDataAsSpan<long>()[i].ToString(CultureInfo.InvariantCulture);
            order[i] = _classIndex.TryGetValue(key, out var index)
                ? index
                : throw new SchemaMismatchException($"The ZipMap key '{key}' is not one of the classes {string.Join(", ", _classes)}.");
        }
        return order;
    }

    private static int ArgMax(float[][] probabilities, int row)
    {
        var best = 0;
        for (var c = 1; c < probabilities.Length; c++)
        {
            if (probabilities[c][row] > probabilities[best][row])
                best = c;
        }
        return best;
    }
}
