using BatchScoring.Core.Errors;

namespace BatchScoring.Core.Models;

/// <summary>The file formats BatchScoring scores, told apart by the file's extension.</summary>
public enum ModelFormat
{
    /// <summary>An ML.NET model saved as a <c>.zip</c>.</summary>
    MlNet,
    /// <summary>An ONNX model, <c>.onnx</c>.</summary>
    Onnx,
}

public static class ModelFormats
{
    /// <summary>The format of a model file from its extension; any other extension is refused, naming the file.</summary>
    public static ModelFormat FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".zip" => ModelFormat.MlNet,
        ".onnx" => ModelFormat.Onnx,
        var other => throw new BatchScoringException(
            $"Model file {path}: unsupported format '{other}'; expected an ML.NET .zip or an ONNX .onnx file."),
    };

    /// <summary>The name stored in <c>scoring.models.format</c>.</summary>
    public static string StoredName(this ModelFormat format) => format switch
    {
        ModelFormat.MlNet => "mlnet",
        ModelFormat.Onnx => "onnx",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static ModelFormat FromStoredName(string name) => name switch
    {
        "mlnet" => ModelFormat.MlNet,
        "onnx" => ModelFormat.Onnx,
        _ => throw new BatchScoringException($"Unknown model format '{name}' in the registry."),
    };
}
