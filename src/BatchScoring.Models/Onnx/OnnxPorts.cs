using System.Globalization;
using BatchScoring.Models.Description;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BatchScoring.Models.Onnx;

/// <summary>ONNX types and shapes written as ONNX writes them (<c>tensor(float) [N,4]</c>, <c>seq(map(int64,tensor(float)))</c>).</summary>
internal static class OnnxPorts
{
    public static ModelPort Of(string name, NodeMetadata metadata)
        => new(name, TypeName(metadata), metadata.IsTensor ? Shape(metadata.Dimensions) : "");

    public static string Shape(int[] dimensions)
        => "[" + string.Join(",", dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : i == 0 ? "N" : "?")) + "]";

    public static string ElementName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Double => "double",
        TensorElementType.Int64 => "int64",
        TensorElementType.Int32 => "int32",
        TensorElementType.String => "string",
        TensorElementType.Bool => "bool",
        TensorElementType.UInt32 => "uint32",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string TypeName(NodeMetadata metadata) => metadata.OnnxValueType switch
    {
        OnnxValueType.ONNX_TYPE_TENSOR => $"tensor({ElementName(metadata.ElementDataType)})",
        OnnxValueType.ONNX_TYPE_SEQUENCE => $"seq({TypeName(metadata.AsSequenceMetadata().ElementMeta)})",
        OnnxValueType.ONNX_TYPE_MAP => $"map({ElementName(metadata.AsMapMetadata().KeyDataType)},{TypeName(metadata.AsMapMetadata().ValueMetadata)})",
        var other => other.ToString(),
    };
}
