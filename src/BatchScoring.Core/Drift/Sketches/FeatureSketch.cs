using System.Buffers;
using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>One column's sketch: row, null and NaN counts, plus a numeric or a category sketch.</summary>
public sealed class FeatureSketch
{
    public static readonly string[] BinaryCategories = ["false", "true"];

    public FeatureSketch(FeatureDefinition definition, NumericSketch? numeric, CategorySketch? categories)
    {
        if ((definition.Kind == FeatureKind.Numeric) != (numeric is not null) || (numeric is null) == (categories is null))
            throw new ArgumentException($"Feature {definition.Name} of kind {definition.Kind} needs exactly the matching sketch.");
        Definition = definition;
        Numeric = numeric;
        Categories = categories;
    }

    public FeatureDefinition Definition { get; }
    public string Name => Definition.Name;
    public FeatureKind Kind => Definition.Kind;
    public long Count { get; internal set; }
    public long NullCount { get; internal set; }
    /// <summary>NaN and infinite values of a numeric column: not comparable, so counted as missing.</summary>
    public long NaNCount { get; internal set; }
    public long MissingCount => NullCount + NaNCount;
    public long PresentCount => Count - MissingCount;
    public double MissingRate => Count == 0 ? 0 : (double)MissingCount / Count;
    public NumericSketch? Numeric { get; }
    public CategorySketch? Categories { get; }

    public void Add(BatchColumn column, int rows, ReadOnlySpan<ulong> rowHashes)
    {
        if (FeatureKinds.Of(column.Kind) != Kind)
            throw new InvalidOperationException($"Column {column.Schema} is {FeatureKinds.Of(column.Kind)} but the drift sketch of '{Name}' is {Kind}.");
        Count += rows;
        if (Numeric is not null)
            AddNumbers(column, rows, rowHashes);
        else
            AddCategories(column, rows);
    }

    private void AddNumbers(BatchColumn column, int rows, ReadOnlySpan<ulong> rowHashes)
    {
        var buffer = ArrayPool<double>.Shared.Rent(rows);
        try
        {
            var values = ColumnValues.Numbers(column, rows, buffer);
            for (var row = 0; row < rows; row++)
            {
                if (column.IsNull(row))
                    NullCount++;
                else if (double.IsFinite(values[row]))
                    Numeric!.Add(rowHashes[row], values[row]);
                else
                    NaNCount++;
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    private void AddCategories(BatchColumn column, int rows)
    {
        var values = ColumnValues.Categories(column, rows);
        for (var row = 0; row < rows; row++)
        {
            if (column.IsNull(row))
                NullCount++;
            else
                Categories!.Add(values[row]);
        }
    }

    public void Merge(FeatureSketch other)
    {
        if (other.Definition != Definition)
            throw new InvalidOperationException($"Cannot merge the sketch of {other.Definition} into that of {Definition}.");
        Count += other.Count;
        NullCount += other.NullCount;
        NaNCount += other.NaNCount;
        Numeric?.Merge(other.Numeric!);
        Categories?.Merge(other.Categories!);
    }
}
