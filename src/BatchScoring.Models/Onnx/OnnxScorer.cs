using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.Description;
using BatchScoring.Models.Loading;
using Microsoft.ML.OnnxRuntime;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// Scores batches with an ONNX model through one shared <see cref="InferenceSession"/> (thread-safe). Inputs are
/// tensors of float, double, int64, string or bool: one column each as <c>[N]</c> or <c>[N,1]</c>, or F columns as
/// <c>[N,F]</c> in the order of the job's <c>model.inputs</c> (see <see cref="OnnxInputBinding"/>); numbers take NaN for
/// missing values, text "". Only the prediction outputs are requested: ML.NET's export names (<see cref="OnnxOutputs"/>)
/// or the Python converters' (<see cref="PythonOnnxOutputs"/>), stored as the ML.NET scorer stores them. A boosted tree
/// ensemble that the compiled tree evaluator reproduces (checked against the session on probe rows) is scored by it.
/// </summary>
public sealed class OnnxScorer : IModelScorer, IDisposable
{
    /// <summary>ONNX metadata key holding a JSON array of a multiclass model's class names, in score order.</summary>
    public const string ClassesMetadataKey = "batchscoring.classes";

    private readonly OnnxModel _model;
    private readonly OnnxFeed[] _feeds;
    private readonly string[] _feedNames;
    private readonly IOnnxOutputs _outputs;
    private readonly bool _ownsModel;
    private readonly CompiledOnnxTrees? _compiled;
    private readonly bool _compileTrees;

    private OnnxScorer(OnnxModel model, OnnxFeed[] feeds, ModelInput[] inputs, IOnnxOutputs outputs, bool ownsModel, bool compileTrees, CompiledOnnxTrees? compiled = null)
    {
        _compileTrees = compileTrees;
        _model = model;
        _feeds = feeds;
        _feedNames = feeds.Select(f => f.Name).ToArray();
        _outputs = outputs;
        _ownsModel = ownsModel;
        _compiled = compiled;
        Inputs = inputs;
        Description = new ModelDescription("onnx", outputs.Task, model.InputPorts, model.OutputPorts, outputs.Classes, inputs.Select(i => i.Name).ToArray());
    }

    public IReadOnlyList<ModelInput> Inputs { get; }
    public IReadOnlyList<ColumnSchema> Outputs => _outputs.Columns;
    public ModelTask Task => _outputs.Task;
    public IReadOnlyList<string> Classes => _outputs.Classes;
    public ModelDescription Description { get; }
    /// <summary>Whether a boosted tree ensemble is scored by the compiled tree evaluator (see <see cref="CompiledOnnxTrees"/>) rather than by the session.</summary>
    public bool UsesCompiledTrees => _compiled is not null;

    public static OnnxScorer Load(string path) => Load(File.ReadAllBytes(path), path);

    /// <summary>
    /// Loads a model from its bytes; <paramref name="path"/> names it in messages. With <paramref name="compileTrees"/>, a boosted
    /// tree ensemble is scored by <see cref="CompiledOnnxTrees"/> when it reproduces the session's outputs.
    /// </summary>
    public static OnnxScorer Load(byte[] model, string path, bool compileTrees = true)
    {
        var loaded = OnnxModel.Load(model, path);
        try
        {
            return Create(loaded, null, ownsModel: true, compileTrees);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    public IScorer Bind(ModelSpec model)
        => model.Inputs is null && model.PositiveClass is null ? this : Create(_model, model, ownsModel: false, _compileTrees);

    private static OnnxScorer Create(OnnxModel model, ModelSpec? spec, bool ownsModel, bool compileTrees)
    {
        var (feeds, inputs) = OnnxInputBinding.Bind(model, spec);
        var outputs = MapOutputs(model, spec?.PositiveClass);
        var session = new OnnxScorer(model, feeds, inputs, outputs, ownsModel, compileTrees);
        return compileTrees && CompiledOnnxTrees.TryCreate(model, feeds, outputs, session.Score) is { } compiled
            ? new OnnxScorer(model, feeds, inputs, outputs, ownsModel, compileTrees, compiled)
            : session;
    }

    private static IOnnxOutputs MapOutputs(OnnxModel model, LocatedName? positiveClass)
    {
        if (OnnxOutputs.TryDescribe(model.Path, model.Session) is { } mlnet)
        {
            if (positiveClass is not null)
                throw positiveClass.Location.Error($"'model.positive_class' applies to ONNX classifiers with class labels; ONNX model {model.Path} is an ML.NET export whose positive class is fixed ({model.Signature})");
            return mlnet;
        }
        return PythonOnnxOutputs.TryDescribe(model, positiveClass)
            ?? throw new SchemaMismatchException(
                $"ONNX model {model.Path} has no outputs BatchScoring knows ({model.Signature}). Known outputs: ML.NET's Score, Probability, PredictedLabel " +
                "(with or without '.output'); the Python converters' label/output_label (int64 or string tensor) with probabilities/output_probability " +
                "(a [N,K] float tensor or a ZipMap), or a regressor's variable. Re-export the model with one of these output names.");
    }

    public RowBatch Score(RowBatch batch)
    {
        var result = new RowBatch(Outputs, Math.Max(batch.Count, 1)) { Count = batch.Count };
        if (batch.Count == 0)
            return result;
        if (_compiled is not null)
        {
            _compiled.Score(batch, result);
            return result;
        }

        var values = new OrtValue[_feeds.Length];
        try
        {
            for (var i = 0; i < _feeds.Length; i++)
                values[i] = _feeds[i].ToTensor(batch);
            using var runOptions = new RunOptions();
            using var outputs = _model.Session.Run(runOptions, _feedNames, values, _outputs.Names);
            _outputs.Read(outputs, result);
        }
        finally
        {
            foreach (var value in values)
                value?.Dispose();
        }
        return result;
    }

    public void Dispose()
    {
        if (_ownsModel)
            _model.Dispose();
    }
}
