using System.Text.Json;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;
using Microsoft.ML.OnnxRuntime;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// The prediction outputs of an ONNX model exported by ML.NET (<c>Score</c>, <c>Probability</c>, <c>PredictedLabel</c>,
/// with or without <c>.output</c>), the task they mean and how to copy them into an output batch. A score of width
/// K &gt; 1 is multiclass; the class names come from the metadata key <see cref="OnnxScorer.ClassesMetadataKey"/>,
/// else they are the class indices.
/// </summary>
internal sealed class OnnxOutputs : IOnnxOutputs
{
    private readonly string? _score;
    private readonly string? _probability;
    private readonly string? _label;
    private readonly Type? _labelType;
    private readonly string[] _classes;

    private OnnxOutputs(ModelTask task, string? score, string? probability, string? label, Type? labelType, string[] classes)
    {
        Task = task;
        _score = score;
        _probability = probability;
        _label = label;
        _labelType = labelType;
        _classes = classes;
        Names = new[] { score, probability, label }.OfType<string>().ToArray();
        Columns = task switch
        {
            ModelTask.MulticlassClassification => PredictionColumns.Multiclass(classes),
            ModelTask.Regression => [PredictionColumns.ScoreColumn],
            _ => new[]
            {
                score is null ? null : PredictionColumns.ScoreColumn,
                probability is null ? null : PredictionColumns.ProbabilityColumn,
                label is null ? null : PredictionColumns.BinaryLabelColumn,
            }.OfType<ColumnSchema>().ToArray(),
        };
    }

    public ModelTask Task { get; }
    public IReadOnlyList<ColumnSchema> Columns { get; }
    public IReadOnlyList<string> Classes => _classes;
    /// <summary>The outputs to request from the session, in the order <see cref="Read"/> expects them.</summary>
    public string[] Names { get; }

    /// <summary>The outputs, or null when the model has none of ML.NET's export names.</summary>
    public static OnnxOutputs? TryDescribe(string path, InferenceSession session)
    {
        var metadata = session.OutputMetadata;
        string? Find(string name) => metadata.ContainsKey(name + ".output") ? name + ".output" : metadata.ContainsKey(name) ? name : null;
        var score = Find("Score");
        var probability = Find("Probability");
        var label = Find("PredictedLabel");
        if (score is not null && metadata[score].ElementType != typeof(float))
            score = null;
        if (probability is not null && metadata[probability].ElementType != typeof(float))
            probability = null;
        var labelType = label is null ? null : metadata[label].ElementType;

        var width = score is null ? 0 : metadata[score].Dimensions is [_, var k] ? k : 1;
        if (width > 1)
        {
            var classes = MetadataClassNames(path, session, width);
            var classLabel = labelType == typeof(string) || labelType == typeof(uint) ? label : null;
            return new OnnxOutputs(ModelTask.MulticlassClassification, score, null, classLabel, classLabel is null ? null : labelType, classes);
        }
        var booleanLabel = labelType == typeof(bool) ? label : null;
        if (probability is not null || booleanLabel is not null)
            return new OnnxOutputs(ModelTask.BinaryClassification, score, probability, booleanLabel, booleanLabel is null ? null : typeof(bool), []);
        return score is null ? null : new OnnxOutputs(ModelTask.Regression, score, null, null, null, []);
    }

    public void Read(IReadOnlyList<OrtValue> outputs, RowBatch result)
    {
        var count = result.Count;
        var index = 0;
        var score = _score is null ? null : outputs[index++];
        var probability = _probability is null ? null : outputs[index++];
        var label = _label is null ? null : outputs[index];

        if (Task == ModelTask.MulticlassClassification)
        {
            ReadMulticlass(score!, label, result);
            return;
        }
        if (score is not null)
            score.GetTensorDataAsSpan<float>()[..count].CopyTo(result.Column<float>(PredictionColumns.Score).Values);
        if (probability is not null)
            probability.GetTensorDataAsSpan<float>()[..count].CopyTo(result.Column<float>(PredictionColumns.Probability).Values);
        if (label is not null)
            label.GetTensorDataAsSpan<bool>()[..count].CopyTo(result.Column<bool>(PredictionColumns.PredictedLabel).Values);
    }

    private void ReadMulticlass(OrtValue score, OrtValue? label, RowBatch result)
    {
        var count = result.Count;
        var width = _classes.Length;
        var scores = score.GetTensorDataAsSpan<float>();
        var probabilities = result.Columns.Skip(1).Select(c => ((BatchColumn<float>)c).Values).ToArray();
        for (var row = 0; row < count; row++)
        {
            for (var c = 0; c < width; c++)
                probabilities[c][row] = scores[row * width + c];
        }

        var labels = result.Column<string>(PredictionColumns.PredictedLabel);
        if (_labelType == typeof(string))
        {
            for (var row = 0; row < count; row++)
                labels.Set(row, label!.GetStringElement(row));
        }
        else if (_labelType == typeof(uint))
        {
            var keys = label!.GetTensorDataAsSpan<uint>();
            for (var row = 0; row < count; row++)
            {
                // Key 0 is ML.NET's missing value; keys 1..K are the classes.
                if (keys[row] == 0 || keys[row] > width)
                    labels.SetNull(row);
                else
                    labels.Set(row, _classes[keys[row] - 1]);
            }
        }
        else
        {
            for (var row = 0; row < count; row++)
            {
                var best = 0;
                for (var c = 1; c < width; c++)
                {
                    if (scores[row * width + c] > scores[row * width + best])
                        best = c;
                }
                labels.Set(row, _classes[best]);
            }
        }
    }

    /// <summary>The class names <c>models convert</c> writes to the metadata, else the class indices.</summary>
    public static string[] MetadataClassNames(string path, InferenceSession session, int width)
    {
        if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(OnnxScorer.ClassesMetadataKey, out var json))
            return Enumerable.Range(0, width).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        string[]? classes;
        try
        {
            classes = JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException e)
        {
            throw new SchemaMismatchException($"ONNX model {path}: metadata '{OnnxScorer.ClassesMetadataKey}' is not a JSON array of class names: {e.Message}");
        }
        if (classes is null || classes.Length != width)
            throw new SchemaMismatchException(
                $"ONNX model {path}: metadata '{OnnxScorer.ClassesMetadataKey}' names {classes?.Length ?? 0} classes but the score has {width}.");
        return classes;
    }
}
