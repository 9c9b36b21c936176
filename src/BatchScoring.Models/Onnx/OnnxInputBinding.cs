using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// Which batch columns fill which ONNX input. Without <c>model.inputs</c>, every input takes the column of its own name and
/// must be one column wide (<c>[N]</c> or <c>[N,1]</c>), except a model's one <c>[N,F]</c> input whose columns the metadata
/// entry <see cref="FeatureNamesKey"/> names. With it, the listed columns are the model's features in order: the
/// first input's F₁ columns, then the next input's, and so on — so a single <c>[N,F]</c> <c>float_input</c> takes all F, and
/// a <c>ColumnTransformer</c>'s named inputs take one column each, in the model's input order.
/// </summary>
internal static class OnnxInputBinding
{
    private sealed record Declared(string Name, TensorElementType Type, int Width, bool ColumnDimension);

    public static (OnnxFeed[] Feeds, ModelInput[] Inputs) Bind(OnnxModel model, ModelSpec? spec)
    {
        var declared = model.Session.InputMetadata.Select(m => Describe(model, m.Key, m.Value)).ToArray();
        return spec?.Inputs is { } columns ? FromList(model, spec, declared, columns) : ByName(model, declared);
    }

    private static (OnnxFeed[], ModelInput[]) ByName(OnnxModel model, Declared[] declared)
    {
        var feeds = new List<OnnxFeed>();
        var inputs = new List<ModelInput>();
        foreach (var input in declared)
        {
            if (input.Width == 1)
            {
                feeds.Add(new OnnxFeed(input.Name, input.Type, input.ColumnDimension, [input.Name]));
                inputs.Add(new ModelInput(input.Name, KindOf(input.Type), AcceptsMissing: AcceptsMissing(input.Type)));
                continue;
            }
            if (declared.Length == 1 && MetadataFeatureNames(model, input.Width) is { } names)
            {
                feeds.Add(new OnnxFeed(input.Name, input.Type, true, names));
                inputs.AddRange(names.Select((n, i) => new ModelInput(n, KindOf(input.Type), AcceptsMissing: AcceptsMissing(input.Type),
                    Origin: $"ONNX model {model.Path}: metadata '{FeatureNamesKey}' names '{n}' as column {i} of input '{input.Name}'")));
                continue;
            }
            // Placeholder names no source column has: such a model binds only through a job that lists its columns.
            var slots = Enumerable.Range(0, Math.Max(input.Width, 1)).Select(i => $"{input.Name}[{i}]").ToArray();
            feeds.Add(new OnnxFeed(input.Name, input.Type, true, slots));
            inputs.AddRange(slots.Select(s => new ModelInput(s, KindOf(input.Type), AcceptsMissing: AcceptsMissing(input.Type),
                Origin: $"ONNX model {model.Path}: input '{input.Name}' takes {WidthText(input.Width)} source columns; list them in the model's feature order with 'model.inputs: [column, …]' in the job file ({model.Signature})")));
        }
        return ([.. feeds], [.. inputs]);
    }

    /// <summary>The metadata entry (<c>onx.metadata_props</c>) that may name the columns of a model's one <c>[N,F]</c> input, in order.</summary>
    public const string FeatureNamesKey = "feature_names";

    /// <summary>The names of <see cref="FeatureNamesKey"/> (a JSON array or comma-separated), when it names exactly <paramref name="width"/> valid columns.</summary>
    private static string[]? MetadataFeatureNames(OnnxModel model, int width)
    {
        if (!model.Session.ModelMetadata.CustomMetadataMap.TryGetValue(FeatureNamesKey, out var text))
            return null;
        string[]? names;
        try
        {
            names = text.TrimStart().StartsWith('[') ? System.Text.Json.JsonSerializer.Deserialize<string[]>(text) : text.Split(',', StringSplitOptions.TrimEntries);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new SchemaMismatchException($"ONNX model {model.Path}: metadata '{FeatureNamesKey}' is not a JSON array of names: {e.Message}");
        }
        if (names is null || (width > 0 && names.Length != width) || names.Any(n => !Core.Sql.SqlIdentifier.IsValidPart(n)))
            throw new SchemaMismatchException(
                $"ONNX model {model.Path}: metadata '{FeatureNamesKey}' must name {WidthText(width)} valid column names, one per column of the input, not '{text}'.");
        return names;
    }

    private static (OnnxFeed[], ModelInput[]) FromList(OnnxModel model, ModelSpec spec, Declared[] declared, IReadOnlyList<LocatedName> columns)
    {
        var unknownWidth = declared.Where(d => d.Width < 0).ToArray();
        var known = declared.Where(d => d.Width > 0).Sum(d => d.Width);
        if (unknownWidth.Length > 1 || (unknownWidth.Length == 0 && known != columns.Count) || (unknownWidth.Length == 1 && columns.Count <= known))
        {
            var location = spec.InputsLocation ?? columns[0].Location;
            throw location.Error(
                $"'model.inputs' lists {columns.Count} column(s) but ONNX model {model.Path} takes {(unknownWidth.Length == 0 ? known.ToString(System.Globalization.CultureInfo.InvariantCulture) : "an unknown number of")} " +
                $"feature column(s) ({model.Signature}); list one source column per feature, in the model's feature order");
        }
        var feeds = new List<OnnxFeed>();
        var inputs = new List<ModelInput>();
        var next = 0;
        foreach (var input in declared)
        {
            var width = input.Width > 0 ? input.Width : columns.Count - known;
            var taken = columns.Skip(next).Take(width).ToArray();
            feeds.Add(new OnnxFeed(input.Name, input.Type, input.ColumnDimension || width > 1, taken.Select(c => c.Value).ToArray()));
            for (var i = 0; i < taken.Length; i++)
            {
                var feature = width == 1 && !input.ColumnDimension ? $"input '{input.Name}'" : $"column {i} of input '{input.Name}'";
                inputs.Add(new ModelInput(taken[i].Value, KindOf(input.Type), AcceptsMissing: AcceptsMissing(input.Type),
                    Origin: $"{taken[i].Location}: 'model.inputs' item {next + i + 1} ('{taken[i].Value}') feeds {feature} of ONNX model {model.Path} ({model.Signature})"));
            }
            next += width;
        }
        return ([.. feeds], [.. inputs]);
    }

    private static Declared Describe(OnnxModel model, string name, NodeMetadata metadata)
    {
        var type = metadata.IsTensor ? metadata.ElementDataType : TensorElementType.DataTypeMax;
        if (type is not (TensorElementType.Float or TensorElementType.Double or TensorElementType.Int64 or TensorElementType.String or TensorElementType.Bool))
            throw new SchemaMismatchException(
                $"ONNX model {model.Path}: input '{name}' is {OnnxPorts.Of(name, metadata)}; BatchScoring feeds tensors of float, double, int64, string or bool ({model.Signature}).");
        var dimensions = metadata.Dimensions;
        return dimensions switch
        {
            [_] => new Declared(name, type, 1, false),
            [_, var width] => new Declared(name, type, width, true),
            _ => throw new SchemaMismatchException(
                $"ONNX model {model.Path}: input '{name}' has shape {OnnxPorts.Shape(dimensions)}; BatchScoring feeds [N], [N,1] or [N,F] inputs ({model.Signature})."),
        };
    }

    private static string WidthText(int width) => width > 0 ? width.ToString(System.Globalization.CultureInfo.InvariantCulture) : "several";

    private static ColumnKind KindOf(TensorElementType type) => type switch
    {
        TensorElementType.Float => ColumnKind.Float32,
        TensorElementType.Double => ColumnKind.Float64,
        TensorElementType.Int64 => ColumnKind.Int64,
        TensorElementType.String => ColumnKind.Text,
        _ => ColumnKind.Boolean,
    };

    /// <summary>Numbers take NaN and text takes ""; an int64 tensor has no missing value, so a row with a null there is set aside.</summary>
    private static bool AcceptsMissing(TensorElementType type) => type != TensorElementType.Int64;
}
