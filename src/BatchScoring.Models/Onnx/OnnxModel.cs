using BatchScoring.Core.Errors;
using BatchScoring.Models.Description;
using Microsoft.ML.OnnxRuntime;

namespace BatchScoring.Models.Onnx;

/// <summary>A loaded ONNX file: the shared session, its declared inputs and outputs, its graph's nodes and the class labels they carry.</summary>
internal sealed class OnnxModel(string path, InferenceSession session, IReadOnlyList<OnnxNode> nodes) : IDisposable
{
    public string Path => path;
    public InferenceSession Session => session;
    /// <summary>The top-level graph's nodes, as the file holds them.</summary>
    public IReadOnlyList<OnnxNode> Nodes => nodes;
    public (string[] Labels, bool AreNumbers)? ClassLabels { get; } = OnnxClassLabels.Read(nodes);
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
        return new OnnxModel(path, session, OnnxGraphReader.Nodes(bytes));
    }

    public void Dispose() => session.Dispose();
}
