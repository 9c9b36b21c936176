using BatchScoring.Core.Errors;

namespace BatchScoring.Core.Models;

/// <summary>The file formats BatchScoring scores, told apart by the file's extension.</summary>
public enum ModelFormat
{
    /// <summary>An ML.NET model saved as a <c>.zip</c>.</summary>
    MlNet,
    /// <summary>An ONNX model, <c>.onnx</c>.</summary>
    Onnx,
    /// <summary>An XGBoost model in XGBoost's JSON format, <c>.json</c>.</summary>
    Xgboost,
    /// <summary>A LightGBM model in LightGBM's text format, <c>.txt</c>.</summary>
    LightGbm,
}

public static class ModelFormats
{
    /// <summary>The format of a model file from its extension; any other extension is refused, naming the file.</summary>
    public static ModelFormat FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".zip" => ModelFormat.MlNet,
        ".onnx" => ModelFormat.Onnx,
        ".json" => ModelFormat.Xgboost,
        ".txt" => ModelFormat.LightGbm,
        var other => throw new BatchScoringException(
            $"Model file {path}: unsupported format '{other}'; expected an ML.NET .zip, an ONNX .onnx, an XGBoost .json or a LightGBM .txt file."),
    };

    /// <summary>The name stored in <c>scoring.models.format</c>.</summary>
    public static string StoredName(this ModelFormat format) => format switch
    {
        ModelFormat.MlNet => "mlnet",
        ModelFormat.Onnx => "onnx",
        ModelFormat.Xgboost => "xgboost",
        ModelFormat.LightGbm => "lightgbm",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static ModelFormat FromStoredName(string name) => name switch
    {
        "mlnet" => ModelFormat.MlNet,
        "onnx" => ModelFormat.Onnx,
        "xgboost" => ModelFormat.Xgboost,
        "lightgbm" => ModelFormat.LightGbm,
        _ => throw new BatchScoringException($"Unknown model format '{name}' in the registry."),
    };
}
