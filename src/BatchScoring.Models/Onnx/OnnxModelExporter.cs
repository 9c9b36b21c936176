using System.Text.Json;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;
using BatchScoring.Models.MlNet;
using Google.Protobuf;
using Microsoft.ML;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// Converts an ML.NET <c>.zip</c> into an ONNX file that <see cref="OnnxScorer"/> scores with the
/// same output columns. The conversion sees only the model's feature inputs (a label in the input
/// schema would become a required ONNX input); a multiclass model's class names travel in the ONNX
/// metadata under <see cref="OnnxScorer.ClassesMetadataKey"/>, because the graph's outputs carry only indices.
/// </summary>
public static class OnnxModelExporter
{
    public static void Export(string mlnetPath, string onnxPath)
    {
        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(mlnetPath, out var inputSchema);
        var features = inputSchema
            .Where(c => !c.IsHidden && c.Name != MlNetScorer.LabelColumn)
            .Select(c => new InputColumn(c.Name, c.Type, c.Name))
            .ToArray();
        var empty = new RowBatch(features.Select(f => new ColumnSchema(f.Name, DataViewTypes.KindOf(f.Type)
            ?? throw new NotSupportedException($"Input {f.Name} of type {f.Type} cannot be exported."))).ToArray(), 1) { Count = 0 };
        var outputs = MlNetOutputs.Describe(mlnetPath, model.GetOutputSchema(inputSchema));

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(onnxPath))!);
        var temporary = onnxPath + ".tmp";
        using (var file = File.Create(temporary))
        {
            ml.Model.ConvertToOnnx(model, new RowBatchDataView(empty, features), file);
            if (outputs.Task == ModelTask.MulticlassClassification)
                AppendMetadata(file, OnnxScorer.ClassesMetadataKey, JsonSerializer.Serialize(outputs.Classes));
        }
        File.Move(temporary, onnxPath, overwrite: true);
    }

    /// <summary>
    /// Appends one <c>metadata_props</c> entry (field 14 of ONNX's ModelProto, a key/value message)
    /// to a serialised model: protobuf parsers merge a repeated field that appears again at the end.
    /// </summary>
    private static void AppendMetadata(Stream file, string key, string value)
    {
        const int MetadataPropsField = 14;
        const int KeyField = 1;
        const int ValueField = 2;
        using var entryBytes = new MemoryStream();
        using (var entry = new CodedOutputStream(entryBytes, leaveOpen: true))
        {
            entry.WriteTag(KeyField, WireFormat.WireType.LengthDelimited);
            entry.WriteString(key);
            entry.WriteTag(ValueField, WireFormat.WireType.LengthDelimited);
            entry.WriteString(value);
        }
        using var output = new CodedOutputStream(file, leaveOpen: true);
        output.WriteTag(MetadataPropsField, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(entryBytes.ToArray()));
    }
}
