using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BatchScoring.Models.MlNet;

/// <summary>
/// Scores batches with an ML.NET model saved as a <c>.zip</c>. The inputs come from the model's
/// own saved input schema; the outputs are the standard prediction columns it produces.
/// The transformer is thread-safe, so one instance serves all slots of a process.
/// </summary>
public sealed class MlNetScorer : IScorer
{
    /// <summary>ML.NET's standard prediction columns and the names we store them under.</summary>
    private static readonly (string MlName, ColumnSchema Column)[] StandardOutputs =
    [
        ("Score", new ColumnSchema("score", ColumnKind.Float32)),
        ("Probability", new ColumnSchema("probability", ColumnKind.Float32)),
        ("PredictedLabel", new ColumnSchema("predicted_label", ColumnKind.Boolean)),
    ];

    /// <summary>The label column is in the saved schema of models saved with their training data, but prediction never reads it.</summary>
    private const string LabelColumn = "Label";

    private readonly ITransformer _model;
    private readonly (string MlName, ColumnSchema Column)[] _outputs;

    private MlNetScorer(ITransformer model, IReadOnlyList<ModelInput> inputs, (string, ColumnSchema)[] outputs)
    {
        _model = model;
        Inputs = inputs;
        _outputs = outputs;
        Outputs = outputs.Select(o => o.Item2).ToArray();
    }

    public IReadOnlyList<ModelInput> Inputs { get; }
    public IReadOnlyList<ColumnSchema> Outputs { get; }

    public static MlNetScorer Load(string path)
    {
        var ml = new MLContext(seed: 0);
        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            model = ml.Model.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or IOException or ArgumentException)
        {
            throw new BatchScoringException($"Could not load ML.NET model {path}: {e.Message}", e);
        }

        var inputs = new List<ModelInput>();
        foreach (var column in inputSchema.Where(c => !c.IsHidden))
        {
            var kind = DataViewTypes.KindOf(column.Type) ?? throw new SchemaMismatchException(
                $"Model {path}: input '{column.Name}' has type {column.Type}; BatchScoring feeds scalar numbers, text and booleans.");
            inputs.Add(new ModelInput(column.Name, kind, Optional: column.Name == LabelColumn));
        }

        var outputSchema = model.GetOutputSchema(inputSchema);
        var outputs = StandardOutputs.Where(o => outputSchema.GetColumnOrNull(o.MlName) is { } c && DataViewTypes.KindOf(c.Type) == o.Column.Kind).ToArray();
        if (outputs.Length == 0)
            throw new SchemaMismatchException($"Model {path} produces none of the columns Score, Probability, PredictedLabel as scalars.");
        return new MlNetScorer(model, inputs, outputs);
    }

    public RowBatch Score(RowBatch batch)
    {
        var columns = Inputs
            .Where(i => batch.TryGetColumn(i.Name, out _))
            .Select(i => new InputColumn(i.Name, DataViewTypes.TypeOf(i.Kind), i.Name))
            .ToArray();
        var scored = _model.Transform(new RowBatchDataView(batch, columns));

        var result = new RowBatch(Outputs, Math.Max(batch.Count, 1)) { Count = batch.Count };
        var outputColumns = _outputs.Select(o => scored.Schema[o.MlName]).ToArray();
        using var cursor = scored.GetRowCursor(outputColumns);
        var fillers = _outputs.Select((o, i) => Filler(cursor, outputColumns[i], result[o.Column.Name])).ToArray();
        var row = 0;
        while (cursor.MoveNext())
        {
            foreach (var fill in fillers)
                fill(row);
            row++;
        }
        return result;
    }

    private static Action<int> Filler(DataViewRowCursor cursor, DataViewSchema.Column column, BatchColumn target) => target switch
    {
        BatchColumn<float> t => Typed(cursor.GetGetter<float>(column), t.Values),
        BatchColumn<bool> t => Typed(cursor.GetGetter<bool>(column), t.Values),
        _ => throw new NotSupportedException($"Output {column.Name} of type {column.Type} is not supported."),
    };

    private static Action<int> Typed<T>(ValueGetter<T> getter, T[] values) => row =>
    {
        var value = default(T)!;
        getter(ref value);
        values[row] = value;
    };
}
