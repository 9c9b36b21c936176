using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.MlNet;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// Scores batches with an ONNX model through one shared <see cref="InferenceSession"/> (thread-safe):
/// every input is one tensor of shape <c>[N,1]</c> (or <c>[N]</c>) per batch, numbers as float or
/// double with NaN for missing values, text as strings with "" for missing values. Only the
/// prediction outputs are requested. Inputs come from the model's input metadata; outputs follow
/// the names of ML.NET's ONNX export (<c>Score</c>, <c>Probability</c>, <c>PredictedLabel</c>, with
/// or without the <c>.output</c> suffix) and are stored as the ML.NET scorer stores them.
/// </summary>
public sealed class OnnxScorer : IScorer, IDisposable
{
    /// <summary>ONNX metadata key holding a JSON array of a multiclass model's class names, in score order.</summary>
    public const string ClassesMetadataKey = "batchscoring.classes";

    private readonly InferenceSession _session;
    private readonly OnnxInput[] _inputs;
    private readonly string[] _inputNames;
    private readonly OnnxOutputs _outputs;

    private OnnxScorer(InferenceSession session, OnnxInput[] inputs, OnnxOutputs outputs)
    {
        _session = session;
        _inputs = inputs;
        _inputNames = inputs.Select(i => i.Name).ToArray();
        _outputs = outputs;
        Inputs = inputs.Select(i => new ModelInput(i.Name, i.Kind)).ToArray();
    }

    public IReadOnlyList<ModelInput> Inputs { get; }
    public IReadOnlyList<ColumnSchema> Outputs => _outputs.Columns;
    public ModelTask Task => _outputs.Task;
    public IReadOnlyList<string> Classes => _outputs.Classes;

    public static OnnxScorer Load(string path) => Load(File.ReadAllBytes(path), path);

    /// <summary>Loads a model from its bytes; <paramref name="path"/> names it in messages.</summary>
    public static OnnxScorer Load(byte[] model, string path)
    {
        InferenceSession session;
        try
        {
            session = new InferenceSession(model);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BatchScoringException($"Could not load ONNX model {path}: {e.Message}", e);
        }
        try
        {
            var inputs = session.InputMetadata.Select(m => OnnxInput.Describe(path, m.Key, m.Value)).ToArray();
            return new OnnxScorer(session, inputs, OnnxOutputs.Describe(path, session));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public RowBatch Score(RowBatch batch)
    {
        var result = new RowBatch(Outputs, Math.Max(batch.Count, 1)) { Count = batch.Count };
        if (batch.Count == 0)
            return result;

        var values = new OrtValue[_inputs.Length];
        try
        {
            for (var i = 0; i < _inputs.Length; i++)
                values[i] = _inputs[i].ToTensor(batch);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, _inputNames, values, _outputs.Names);
            _outputs.Read(outputs, result);
        }
        finally
        {
            foreach (var value in values)
                value?.Dispose();
        }
        return result;
    }

    public void Dispose() => _session.Dispose();

    /// <summary>One model input: its name, the kind of column that feeds it, and its tensor shape per batch.</summary>
    private sealed record OnnxInput(string Name, ColumnKind Kind, bool HasColumnDimension)
    {
        public static OnnxInput Describe(string path, string name, NodeMetadata metadata)
        {
            var kind = metadata.IsTensor ? KindOf(metadata.ElementType) : null;
            if (kind is null)
                throw new SchemaMismatchException(
                    $"ONNX model {path}: input '{name}' is {(metadata.IsTensor ? "a tensor of " + metadata.ElementType.Name : metadata.OnnxValueType.ToString())}; " +
                    "BatchScoring feeds tensors of float, double, string or bool.");
            var dimensions = metadata.Dimensions;
            var oneColumn = dimensions.Length == 1 || (dimensions.Length == 2 && dimensions[1] == 1);
            if (!oneColumn)
                throw new SchemaMismatchException(
                    $"ONNX model {path}: input '{name}' has shape [{string.Join(",", dimensions)}]; BatchScoring feeds one source column per input, shape [N,1] or [N].");
            return new OnnxInput(name, kind.Value, dimensions.Length == 2);
        }

        private static ColumnKind? KindOf(Type type) =>
            type == typeof(float) ? ColumnKind.Float32
            : type == typeof(double) ? ColumnKind.Float64
            : type == typeof(string) ? ColumnKind.Text
            : type == typeof(bool) ? ColumnKind.Boolean
            : null;

        public OrtValue ToTensor(RowBatch batch)
        {
            var count = batch.Count;
            var column = batch[Name];
            long[] shape = HasColumnDimension ? [count, 1] : [count];
            return Kind switch
            {
                ColumnKind.Float32 => OrtValue.CreateTensorValueFromMemory(ColumnConversions.ToNumbers<float>(column, count), shape),
                ColumnKind.Float64 => OrtValue.CreateTensorValueFromMemory(ColumnConversions.ToNumbers<double>(column, count), shape),
                ColumnKind.Boolean => OrtValue.CreateTensorValueFromMemory(ColumnConversions.ToBoolean(column, count), shape),
                ColumnKind.Text => OrtValue.CreateFromStringTensor(new DenseTensor<string>(ColumnConversions.ToStrings(column, count),
                    HasColumnDimension ? [count, 1] : [count])),
                _ => throw new NotSupportedException($"Input {Name} of kind {Kind}."),
            };
        }
    }
}
