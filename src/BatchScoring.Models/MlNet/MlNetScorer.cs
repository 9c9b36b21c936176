using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Description;
using BatchScoring.Models.Loading;
using Microsoft.ML;

namespace BatchScoring.Models.MlNet;

/// <summary>
/// Scores batches with an ML.NET model saved as a <c>.zip</c>. The inputs come from the model's
/// own saved input schema; the task (binary, regression, multiclass) and, for multiclass models,
/// the class names come from the columns the model produces (see <see cref="PredictionColumns"/>).
/// The transformer is thread-safe, so one instance serves all slots of a process.
/// </summary>
public sealed class MlNetScorer : IModelScorer
{
    /// <summary>The label column is in the saved schema of models saved with their training data, but prediction never reads it.</summary>
    internal const string LabelColumn = "Label";

    private readonly ITransformer _model;
    private readonly MlNetOutputs _outputs;
    private readonly CompiledTreeModel? _compiled;

    private MlNetScorer(ITransformer model, IReadOnlyList<ModelInput> inputs, MlNetOutputs outputs, CompiledTreeModel? compiled)
    {
        _model = model;
        _outputs = outputs;
        _compiled = compiled;
        Inputs = inputs;
    }

    public IReadOnlyList<ModelInput> Inputs { get; }
    public IReadOnlyList<ColumnSchema> Outputs => _outputs.Columns;
    public ModelTask Task => _outputs.Task;
    /// <summary>Whether the trees are evaluated by <see cref="CompiledTreeEnsemble"/> rather than by ML.NET's transform.</summary>
    public bool UsesCompiledTrees => _compiled is not null;
    /// <summary>The class names of a multiclass model, in the order of its scores; empty otherwise.</summary>
    public IReadOnlyList<string> Classes => _outputs.Classes;

    public static MlNetScorer Load(string path, bool compileTrees = true)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path, compileTrees);
    }

    /// <summary>
    /// Loads a model from its bytes; <paramref name="path"/> names it in messages. With <paramref name="compileTrees"/>,
    /// a tree-ensemble model is scored through <see cref="CompiledTreeModel"/> (same results, less CPU).
    /// </summary>
    public static MlNetScorer Load(Stream stream, string path, bool compileTrees = true)
    {
        var ml = new MLContext(seed: 0);
        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            model = ml.Model.Load(stream, out inputSchema);
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
        var outputs = MlNetOutputs.Describe(path, model.GetOutputSchema(inputSchema));
        var compiled = compileTrees ? CompiledTreeModel.TryCreate(model, inputSchema, outputs) : null;
        return new MlNetScorer(model, inputs, outputs, compiled);
    }

    public ModelDescription Description => new(
        "mlnet", Task, Inputs.Select(i => new ModelPort(i.Name, i.Kind.ToString(), "")).ToArray(),
        Outputs.Select(o => new ModelPort(o.Name, o.Kind.ToString(), "")).ToArray(), Classes, Inputs.Select(i => i.Name).ToArray());

    /// <summary>An ML.NET model reads its inputs by name (renamed with <c>features:</c>) and fixes its own positive class.</summary>
    public IScorer Bind(ModelSpec model)
    {
        if (model.Inputs is { } inputs)
            throw (model.InputsLocation ?? inputs[0].Location).Error(
                $"'model.inputs' lists the columns of a model's feature vector (ONNX [N,F] inputs, XGBoost and LightGBM features); an ML.NET model reads its inputs " +
                $"by name ({string.Join(", ", Inputs.Select(i => i.Name))}): map other column names with 'features:' instead");
        if (model.PositiveClass is { } positive)
            throw positive.Location.Error("'model.positive_class' does not apply to an ML.NET model: its probability is always the positive (true) label's");
        return this;
    }

    public RowBatch Score(RowBatch batch)
    {
        var columns = Inputs
            .Where(i => batch.TryGetColumn(i.Name, out _))
            .Select(i => new InputColumn(i.Name, DataViewTypes.TypeOf(i.Kind), i.Name))
            .ToArray();
        var input = new RowBatchDataView(batch, columns);
        var result = new RowBatch(Outputs, Math.Max(batch.Count, 1)) { Count = batch.Count };
        if (_compiled is not null)
            _compiled.Score(input, result);
        else
            _outputs.Read(_model.Transform(input), result);
        return result;
    }
}
