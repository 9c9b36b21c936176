using System.Buffers;
using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// The sketches of every model input and output column of some rows (a partition, a run, a
/// reference). A partition builds one with <see cref="EmptyCopy(ulong)"/> of the reference, the finalizer
/// merges them; merging in any grouping or order gives the sketch of all the rows.
/// </summary>
public sealed class DatasetSketch
{
    private readonly Dictionary<string, FeatureSketch> _byName;

    /// <summary>The sample salt of a reference profile (a registered one, or a window of the source).</summary>
    public static readonly ulong ReferenceSalt = StableHash.Of("reference");

    internal DatasetSketch(SketchOptions options, bool frozen, ulong sampleSalt, IReadOnlyList<FeatureSketch> features)
    {
        options.Validate();
        Options = options;
        IsFrozen = frozen;
        SampleSalt = sampleSalt;
        Features = features;
        _byName = new Dictionary<string, FeatureSketch>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            if (!_byName.TryAdd(feature.Name, feature))
                throw new ArgumentException($"Column '{feature.Name}' appears twice among the drift features.");
        }
    }

    public SketchOptions Options { get; }
    /// <summary>True when bins and categories are frozen (from a reference); only frozen sketches can be compared.</summary>
    public bool IsFrozen { get; }
    /// <summary>
    /// Mixed into every row-key hash before the bottom-k samples see it. A reference and each run have
    /// their own, so their samples of the same keys are independent; the partitions of one run share it.
    /// </summary>
    public ulong SampleSalt { get; }
    public IReadOnlyList<FeatureSketch> Features { get; }
    /// <summary>Rows added (every feature sees every row).</summary>
    public long RowCount => Features.Count == 0 ? 0 : Features.Max(f => f.Count);

    public FeatureSketch this[string name] => _byName.TryGetValue(name, out var f)
        ? f
        : throw new KeyNotFoundException($"The drift sketch has no feature '{name}'.");

    public bool TryGetFeature(string name, out FeatureSketch feature) => _byName.TryGetValue(name, out feature!);

    /// <summary>A sketch without frozen bins: the first pass over reference data, which decides the bins.</summary>
    public static DatasetSketch Unfrozen(IEnumerable<FeatureDefinition> features, SketchOptions? options = null)
    {
        options ??= SketchOptions.Default;
        return new DatasetSketch(options, frozen: false, ReferenceSalt, features.Select(f => new FeatureSketch(f,
            f.Kind == FeatureKind.Numeric ? new NumericSketch([], discrete: false, [], NumericSketch.LayoutSampleSize) : null,
            f.Kind == FeatureKind.Numeric ? null : new CategorySketch(f.Kind == FeatureKind.Binary ? FeatureSketch.BinaryCategories : [], null, options.CategoryCapacity)))
            .ToArray());
    }

    /// <summary>The features of a model: its inputs as they come from the source and its outputs.</summary>
    public static IEnumerable<FeatureDefinition> FeaturesOf(IEnumerable<ColumnSchema> inputs, IEnumerable<ColumnSchema> outputs) =>
        inputs.Select(c => FeatureDefinition.Of(c, FeatureRole.Input)).Concat(outputs.Select(c => FeatureDefinition.Of(c, FeatureRole.Output)));

    /// <summary>
    /// Builds a reference in two passes over its data: the first fixes the bins (a numeric
    /// column's distinct values when it has at most 20, else equal widths over the sample's 1st–99th
    /// percentile) and the top-K categories, the second counts in them.
    /// <paramref name="scan"/> must add the same rows both times.
    /// </summary>
    public static async Task<DatasetSketch> BuildReferenceAsync(
        IEnumerable<FeatureDefinition> features, SketchOptions options, Func<DatasetSketch, CancellationToken, Task> scan, CancellationToken cancellationToken)
    {
        var layout = Unfrozen(features, options);
        await scan(layout, cancellationToken);
        var reference = layout.FreezeLayout();
        await scan(reference, cancellationToken);
        return reference;
    }

    /// <summary>An empty frozen sketch whose bins and categories come from this (unfrozen, filled) sketch's data.</summary>
    public DatasetSketch FreezeLayout() => new(Options, frozen: true, SampleSalt, Features.Select(f =>
    {
        if (f.Numeric is { } numeric)
        {
            if (numeric.Moments.Count == 0)
                return new FeatureSketch(f.Definition, new NumericSketch([], false, [], Options.SampleSize), null);
            if (numeric.DistinctValues is { } values)
            {
                var distinct = values.Order().ToArray();
                return new FeatureSketch(f.Definition, new NumericSketch(distinct, true, distinct, Options.SampleSize), null);
            }
            var (sorted, min, max) = (numeric.Sample.Values().Order().ToArray(), numeric.Moments.Min!.Value, numeric.Moments.Max!.Value);
            return new FeatureSketch(f.Definition, new NumericSketch(
                NumericBins.FromPercentiles(sorted, min, max), false, QuantileBins.EdgesFrom(sorted, min, max), Options.SampleSize), null);
        }
        var seen = f.Categories!.Others.Items();
        var categories = f.Kind == FeatureKind.Binary ? FeatureSketch.BinaryCategories : seen.Take(Options.TopK).Select(c => c.Item).ToArray();
        var known = categories.Concat(seen.Select(c => c.Item)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new FeatureSketch(f.Definition, null, new CategorySketch(categories, known, Options.CategoryCapacity));
    }).ToArray());

    /// <summary>The sample salt of a run: every partition of the run uses it, and no other run or reference does.</summary>
    public static ulong RunSalt(long runId) => StableHash.Finish(StableHash.Add(StableHash.Add(StableHash.Start, "run"), (ulong)runId));

    /// <summary>An empty sketch with the same features, options, bins, categories and sample salt.</summary>
    public DatasetSketch EmptyCopy() => EmptyCopy(SampleSalt);

    /// <summary>An empty sketch with the same layout and another sample salt: what each partition of a run fills (<see cref="RunSalt"/>).</summary>
    public DatasetSketch EmptyCopy(ulong sampleSalt) => new(Options, IsFrozen, sampleSalt, Features.Select(f => new FeatureSketch(f.Definition,
        f.Numeric is { } n ? new NumericSketch(n.Edges, n.IsDiscrete, n.Quantiles.Edges, IsFrozen ? Options.SampleSize : NumericSketch.LayoutSampleSize) : null,
        f.Categories is { } c ? new CategorySketch(c.FrozenCategories, c.KnownCategories, Options.CategoryCapacity) : null)).ToArray());

    /// <summary>
    /// Adds the rows of a batch to every feature of the given role; each must be a column of the batch.
    /// <paramref name="rowKeyHashes"/> are <see cref="RowKeyHasher"/>'s, salted here with <see cref="SampleSalt"/>.
    /// </summary>
    public void Add(RowBatch batch, FeatureRole role, ReadOnlySpan<ulong> rowKeyHashes)
    {
        if (rowKeyHashes.Length < batch.Count)
            throw new ArgumentException($"{rowKeyHashes.Length} row key hashes for a batch of {batch.Count} rows.", nameof(rowKeyHashes));
        var salted = ArrayPool<ulong>.Shared.Rent(batch.Count);
        try
        {
            for (var row = 0; row < batch.Count; row++)
                salted[row] = StableHash.Finish(rowKeyHashes[row] ^ SampleSalt);
            AddSalted(batch, role, salted.AsSpan(0, batch.Count));
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(salted);
        }
    }

    private void AddSalted(RowBatch batch, FeatureRole role, ReadOnlySpan<ulong> saltedHashes)
    {
        foreach (var feature in Features)
        {
            if (feature.Definition.Role != role)
                continue;
            if (!batch.TryGetColumn(feature.Name, out var column))
                throw new InvalidOperationException($"The batch has no column '{feature.Name}' for the drift sketch of model {role.ToString().ToLowerInvariant()}s.");
            feature.Add(column, batch.Count, saltedHashes);
        }
    }

    /// <summary>Adds the inputs and the model outputs of a scored batch.</summary>
    public void Add(ScoredBatch scored, ReadOnlySpan<ulong> rowKeyHashes)
    {
        Add(scored.Input, FeatureRole.Input, rowKeyHashes);
        Add(scored.Outputs, FeatureRole.Output, rowKeyHashes);
    }

    public void Merge(DatasetSketch other)
    {
        if (other.Options != Options || other.IsFrozen != IsFrozen || other.Features.Count != Features.Count)
            throw new InvalidOperationException("Drift sketches with different options or features cannot be merged.");
        if (other.SampleSalt != SampleSalt)
            throw new InvalidOperationException("Drift sketches of different runs (different sample salts) cannot be merged.");
        foreach (var feature in other.Features)
            this[feature.Name].Merge(feature);
    }

    /// <summary>Merges sketches into a new one, leaving them unchanged.</summary>
    public static DatasetSketch MergeAll(IReadOnlyList<DatasetSketch> sketches)
    {
        if (sketches.Count == 0)
            throw new ArgumentException("There are no drift sketches to merge.", nameof(sketches));
        var merged = sketches[0].EmptyCopy();
        foreach (var sketch in sketches)
            merged.Merge(sketch);
        return merged;
    }

    public string ToJson() => DatasetSketchJson.Serialize(this);

    public static DatasetSketch FromJson(string json) => DatasetSketchJson.Deserialize(json);
}
