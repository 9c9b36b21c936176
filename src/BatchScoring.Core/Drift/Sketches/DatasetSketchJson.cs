using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// The stored form of a <see cref="DatasetSketch"/> (scoring.partitions.drift_sketch,
/// scoring.models.reference_profile): plain arrays, no types of ours, so SQL can read it too.
/// </summary>
internal static class DatasetSketchJson
{
    public const int FormatVersion = 3;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        // A missing field or a null where there must be a value is a shape error, not a null reference later.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static string Serialize(DatasetSketch sketch) => JsonSerializer.Serialize(new SketchDto(
        FormatVersion, sketch.Options.SampleSize, sketch.Options.TopK, sketch.Options.CategoryCapacity, sketch.IsFrozen, sketch.SampleSalt,
        sketch.Features.Select(ToDto).ToArray()), Json);

    public static DatasetSketch Deserialize(string json)
    {
        SketchDto dto;
        try
        {
            // The version first, so that a sketch of another release is named as such rather than as a shape error.
            var version = JsonSerializer.Deserialize<VersionDto>(json, Json)?.Version;
            if (version != FormatVersion)
                throw new FormatException(version is null
                    ? "A stored drift sketch has no format version."
                    : $"A stored drift sketch has format version {version}, from another release; this build reads version {FormatVersion} only.");
            dto = JsonSerializer.Deserialize<SketchDto>(json, Json) ?? throw new JsonException("The document is null.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"A stored drift sketch is not valid JSON of the expected shape: {e.Message}", e);
        }
        try
        {
            var options = new SketchOptions { SampleSize = dto.SampleSize, TopK = dto.TopK, CategoryCapacity = dto.CategoryCapacity };
            return new DatasetSketch(options, dto.Frozen, dto.SampleSalt, dto.Features.Select(f => FromDto(f, options, dto.Frozen)).ToArray());
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"A stored drift sketch is inconsistent: {e.Message}", e);
        }
    }

    private static FeatureDto ToDto(FeatureSketch feature)
    {
        NumericDto? numeric = null;
        if (feature.Numeric is { } n)
        {
            var sample = n.Sample.Entries();
            numeric = new NumericDto(n.Edges, n.IsDiscrete, n.BinCounts, n.Quantiles.Edges, n.Quantiles.Counts, n.Quantiles.Sums,
                new MomentsDto(n.Moments.Count, n.Moments.Mean, n.Moments.M2, n.Moments.Min, n.Moments.Max),
                sample.Select(e => e.Hash).ToArray(), sample.Select(e => e.Value).ToArray(), n.DistinctValues?.Order().ToArray());
        }
        CategoriesDto? categories = null;
        if (feature.Categories is { } c)
        {
            var others = c.Others.Items();
            categories = new CategoriesDto(c.FrozenCategories, c.FrozenCounts,
                others.Select(o => o.Item).ToArray(), others.Select(o => o.Count).ToArray(), c.Others.Error, c.UnseenCount, c.Total, c.KnownCategories);
        }
        return new FeatureDto(feature.Name, feature.Definition.Role, feature.Kind, feature.Count, feature.NullCount, feature.NaNCount, numeric, categories);
    }

    private static FeatureSketch FromDto(FeatureDto dto, SketchOptions options, bool frozen)
    {
        var definition = new FeatureDefinition(dto.Name, dto.Role, dto.Kind);
        NumericSketch? numeric = null;
        if (dto.Numeric is { } n)
        {
            numeric = new NumericSketch(n.Edges, n.Discrete, n.QuantileEdges, frozen ? options.SampleSize : NumericSketch.LayoutSampleSize);
            if (n.Edges.Length == 0)
                numeric.RestoreDistinct(n.Distinct);
            if (n.BinCounts.Length != numeric.BinCounts.Length || n.SampleHashes.Length != n.SampleValues.Length
                || n.QuantileCounts.Length != numeric.Quantiles.Counts.Length || n.QuantileSums.Length != numeric.Quantiles.Sums.Length)
                throw new FormatException($"The stored drift sketch of '{dto.Name}' has inconsistent bin or sample arrays.");
            n.BinCounts.CopyTo(numeric.BinCounts, 0);
            n.QuantileCounts.CopyTo(numeric.Quantiles.Counts, 0);
            n.QuantileSums.CopyTo(numeric.Quantiles.Sums, 0);
            var moments = numeric.Moments;
            (moments.Count, moments.Mean, moments.M2, moments.Min, moments.Max) = (n.Moments.Count, n.Moments.Mean, n.Moments.M2, n.Moments.Min, n.Moments.Max);
            for (var i = 0; i < n.SampleHashes.Length; i++)
                numeric.Sample.Add(n.SampleHashes[i], n.SampleValues[i]);
        }
        CategorySketch? categories = null;
        if (dto.Categories is { } c)
        {
            if (c.FrozenCounts.Length != c.Frozen.Length || c.OtherValues.Length != c.OtherCounts.Length)
                throw new FormatException($"The stored drift sketch of '{dto.Name}' has inconsistent category arrays.");
            categories = new CategorySketch(c.Frozen, c.Known, options.CategoryCapacity);
            categories.Restore(c.FrozenCounts, c.Unseen, c.Total);
            categories.Others.Restore(c.OtherValues, c.OtherCounts, c.OtherError);
        }
        return new FeatureSketch(definition, numeric, categories) { Count = dto.Count, NullCount = dto.NullCount, NaNCount = dto.NanCount };
    }

    private sealed record VersionDto(int? Version = null);

    private sealed record SketchDto(int Version, int SampleSize, int TopK, int CategoryCapacity, bool Frozen, ulong SampleSalt, FeatureDto[] Features);

    private sealed record FeatureDto(
        string Name, FeatureRole Role, FeatureKind Kind, long Count, long NullCount, long NanCount, NumericDto? Numeric = null, CategoriesDto? Categories = null);

    private sealed record NumericDto(
        double[] Edges, bool Discrete, long[] BinCounts, double[] QuantileEdges, long[] QuantileCounts, double[] QuantileSums, MomentsDto Moments,
        ulong[] SampleHashes, double[] SampleValues, double[]? Distinct = null);

    private sealed record MomentsDto(long Count, double Mean, double M2, double? Min = null, double? Max = null);

    private sealed record CategoriesDto(
        string[] Frozen, long[] FrozenCounts, string[] OtherValues, long[] OtherCounts, long OtherError, long Unseen, long Total, string[]? Known = null);
}
