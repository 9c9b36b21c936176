using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using Microsoft.ML.OnnxRuntime;

namespace BatchScoring.Models.Onnx;

/// <summary>How one naming convention of ONNX outputs maps onto the output columns of a task.</summary>
internal interface IOnnxOutputs
{
    ModelTask Task { get; }
    IReadOnlyList<ColumnSchema> Columns { get; }
    IReadOnlyList<string> Classes { get; }
    /// <summary>The outputs to request from the session, in the order <see cref="Read"/> expects them.</summary>
    string[] Names { get; }
    void Read(IReadOnlyList<OrtValue> outputs, RowBatch result);
}
