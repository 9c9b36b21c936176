using BatchScoring.Core.Errors;
using BatchScoring.Models.Description;
using Microsoft.ML.OnnxRuntime;

namespace BatchScoring.Models.Onnx;

/// <summary>A loaded ONNX file: the shared session, its declared inputs and outputs, and the class labels its graph carries.</summary>
internal sealed class OnnxModel(string path, InferenceSession session, (string[] Labels, bool AreNumbers)? classLabels) : IDisposable
{
    public string Path => path;
    public InferenceSession Session => session;
    public (string[] Labels, bool AreNumbers)? ClassLabels => classLabels;
    public IReadOnlyList<ModelPort> InputPorts { get; } = session.InputMetadata.Select(m => OnnxPorts.Of(m.Key, m.Value)).ToArray();
    public IReadOnlyList<ModelPort> OutputPorts { get; } = session.OutputMetadata.Select(m => OnnxPorts.Of(m.Key, m.Value)).ToArray();

    /// <summary>The model's inputs and outputs with types and shapes, for messages.</summary>
    public string Signature => $"inputs: {string.Join(", ", InputPorts)}; outputs: {string.Join(", ", OutputPorts)}";

    public static OnnxModel Load(byte[] bytes, string path)
    {
        InferenceSession session;
        try
        {
            session = new InferenceSession(bytes);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BatchScoringException($"Could not load ONNX model {path}: {e.Message}", e);
        }
        return new OnnxModel(path, session, OnnxClassLabels.Read(bytes));
    }

    public void Dispose() => session.Dispose();
}
