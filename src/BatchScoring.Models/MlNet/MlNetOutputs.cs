using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BatchScoring.Models.MlNet;

/// <summary>
/// Which of ML.NET's prediction columns (<c>Score</c>, <c>Probability</c>, <c>PredictedLabel</c>) a
/// model produces, what task that means, and how to copy them into an output batch. A vector
/// <c>Score</c> is multiclass: its slot names (or the key values of <c>PredictedLabel</c>) are the classes.
/// </summary>
internal sealed class MlNetOutputs
{
    private const string ScoreName = "Score";
    private const string ProbabilityName = "Probability";
    private const string LabelName = "PredictedLabel";

    private readonly bool _hasScore;
    private readonly bool _hasProbability;
    private readonly DataViewType? _labelType;
    private readonly string[] _classes;

    private MlNetOutputs(ModelTask task, bool hasScore, bool hasProbability, DataViewType? labelType, string[] classes)
    {
        Task = task;
        _hasScore = hasScore;
        _hasProbability = hasProbability;
        _labelType = labelType;
        _classes = classes;
        Columns = task switch
        {
            ModelTask.MulticlassClassification => PredictionColumns.Multiclass(classes),
            ModelTask.Regression => [PredictionColumns.ScoreColumn],
            _ => new[]
            {
                hasScore ? PredictionColumns.ScoreColumn : null,
                hasProbability ? PredictionColumns.ProbabilityColumn : null,
                labelType is BooleanDataViewType ? PredictionColumns.BinaryLabelColumn : null,
            }.OfType<ColumnSchema>().ToArray(),
        };
    }

    public ModelTask Task { get; }
    public IReadOnlyList<ColumnSchema> Columns { get; }
    public IReadOnlyList<string> Classes => _classes;

    public static MlNetOutputs Describe(string path, DataViewSchema schema)
    {
        var score = schema.GetColumnOrNull(ScoreName);
        var probability = schema.GetColumnOrNull(ProbabilityName);
        var label = schema.GetColumnOrNull(LabelName);

        if (score?.Type is VectorDataViewType { ItemType: var item, Size: > 0 } vector && item == NumberDataViewType.Single)
        {
            var labelType = label?.Type is KeyDataViewType or TextDataViewType ? label.Value.Type : null;
            return new MlNetOutputs(ModelTask.MulticlassClassification, true, false, labelType, ClassNames(score.Value, label, vector.Size));
        }

        var hasScore = score?.Type == NumberDataViewType.Single;
        var hasProbability = probability?.Type == NumberDataViewType.Single;
        var hasBooleanLabel = label?.Type is BooleanDataViewType;
        if (hasProbability || hasBooleanLabel)
            return new MlNetOutputs(ModelTask.BinaryClassification, hasScore, hasProbability, hasBooleanLabel ? BooleanDataViewType.Instance : null, []);
        if (hasScore)
            return new MlNetOutputs(ModelTask.Regression, true, false, null, []);
        throw new SchemaMismatchException(
            $"Model {path} produces none of the prediction columns Score (number or vector of numbers), Probability, PredictedLabel.");
    }

    /// <summary>Copies the prediction columns of <paramref name="scored"/> into <paramref name="result"/>, row for row.</summary>
    public void Read(IDataView scored, RowBatch result)
    {
        if (Task == ModelTask.MulticlassClassification)
            ReadMulticlass(scored, result);
        else
            ReadScalars(scored, result);
    }

    private void ReadScalars(IDataView scored, RowBatch result)
    {
        var needed = new List<DataViewSchema.Column>();
        if (_hasScore)
            needed.Add(scored.Schema[ScoreName]);
        if (_hasProbability)
            needed.Add(scored.Schema[ProbabilityName]);
        if (_labelType is not null)
            needed.Add(scored.Schema[LabelName]);
        using var cursor = MlNetCursors.SingleThreaded(scored, needed);
        var score = _hasScore ? cursor.GetGetter<float>(scored.Schema[ScoreName]) : null;
        var probability = _hasProbability ? cursor.GetGetter<float>(scored.Schema[ProbabilityName]) : null;
        var label = _labelType is not null ? cursor.GetGetter<bool>(scored.Schema[LabelName]) : null;
        var scores = _hasScore ? result.Column<float>(PredictionColumns.Score).Values : null;
        var probabilities = _hasProbability ? result.Column<float>(PredictionColumns.Probability).Values : null;
        var labels = label is not null ? result.Column<bool>(PredictionColumns.PredictedLabel).Values : null;
        for (var row = 0; cursor.MoveNext(); row++)
        {
            if (score is not null)
                score(ref scores![row]);
            if (probability is not null)
                probability(ref probabilities![row]);
            if (label is not null)
                label(ref labels![row]);
        }
    }

    private void ReadMulticlass(IDataView scored, RowBatch result)
    {
        var scoreColumn = scored.Schema[ScoreName];
        DataViewSchema.Column[] needed = _labelType is null ? [scoreColumn] : [scoreColumn, scored.Schema[LabelName]];
        using var cursor = MlNetCursors.SingleThreaded(scored, needed);
        var scoreGetter = cursor.GetGetter<VBuffer<float>>(scoreColumn);
        var keyGetter = _labelType is KeyDataViewType ? cursor.GetGetter<uint>(scored.Schema[LabelName]) : null;
        var textGetter = _labelType is TextDataViewType ? cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema[LabelName]) : null;

        var probabilities = result.Columns.Skip(1).Select(c => ((BatchColumn<float>)c).Values).ToArray();
        var labels = result.Column<string>(PredictionColumns.PredictedLabel);
        var dense = new float[_classes.Length];
        VBuffer<float> buffer = default;
        uint key = 0;
        ReadOnlyMemory<char> text = default;
        for (var row = 0; cursor.MoveNext(); row++)
        {
            scoreGetter(ref buffer);
            buffer.CopyTo(dense);
            for (var c = 0; c < dense.Length; c++)
                probabilities[c][row] = dense[c];

            if (keyGetter is not null)
            {
                keyGetter(ref key);
                // Key 0 is ML.NET's missing value; keys 1..K are the classes.
                if (key == 0 || key > _classes.Length)
                    labels.SetNull(row);
                else
                    labels.Set(row, _classes[key - 1]);
            }
            else if (textGetter is not null)
            {
                textGetter(ref text);
                labels.Set(row, text.ToString());
            }
            else
            {
                labels.Set(row, _classes[ArgMax(dense)]);
            }
        }
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
                best = i;
        }
        return best;
    }

    /// <summary>The slot names of the score vector, else the key values of the predicted label, else the class indices.</summary>
    private static string[] ClassNames(DataViewSchema.Column score, DataViewSchema.Column? label, int count)
    {
        if (TextAnnotation(score, AnnotationNames.SlotNames) is { Length: var n } slotNames && n == count)
            return slotNames;
        if (label is { } l && TextAnnotation(l, AnnotationNames.KeyValues) is { Length: var m } keyValues && m == count)
            return keyValues;
        return Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    private static string[]? TextAnnotation(DataViewSchema.Column column, string name)
    {
        if (column.Annotations.Schema.GetColumnOrNull(name)?.Type is not VectorDataViewType { ItemType: TextDataViewType })
            return null;
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.Annotations.GetValue(name, ref values);
        return values.DenseValues().Select(v => v.ToString()).ToArray();
    }

    private static class AnnotationNames
    {
        public const string SlotNames = "SlotNames";
        public const string KeyValues = "KeyValues";
    }
}
