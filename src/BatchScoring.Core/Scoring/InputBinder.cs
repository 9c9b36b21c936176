using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// Checks, before any row is read, that the source can feed every model input, and picks the
/// source columns to read. Numbers feed numeric inputs of any width; text feeds text; booleans feed booleans or numbers.
/// A job's feature mapping (model input → source column) lets inputs read columns of other names.
/// </summary>
public static class InputBinder
{
    public static IReadOnlyList<ColumnSchema> Bind(
        string jobName, string sourceName, IReadOnlyList<ColumnSchema> source, IReadOnlyList<ModelInput> inputs,
        IReadOnlyDictionary<string, string>? featureMapping = null)
    {
        var byName = source.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        var bound = new List<ColumnSchema>();
        foreach (var unknown in (featureMapping?.Keys ?? []).Where(k => inputs.All(i => i.Name != k)))
            problems.Add($"feature_mapping names '{unknown}', which is not an input of the model (inputs: {string.Join(", ", inputs.Select(i => i.Name))})");
        foreach (var input in inputs)
        {
            var columnName = SourceColumn(input.Name, featureMapping);
            var mapped = columnName == input.Name ? "" : $" (feature_mapping of model input '{input.Name}')";
            var origin = input.Origin is null ? "" : $"{input.Origin}: ";
            if (!byName.TryGetValue(columnName, out var column))
            {
                if (!input.Optional)
                    problems.Add($"{origin}model input column '{input.Name}' ({input.Kind}) is missing from source {sourceName}{(mapped.Length > 0 ? $": no source column '{columnName}'" : "")}");
                continue;
            }
            if (!CanFeed(column.Kind, input.Kind))
            {
                problems.Add($"{origin}source column '{column.Name}'{mapped} is {column.SourceType ?? column.Kind.ToString()} but the model input '{input.Name}' needs {input.Kind}");
                continue;
            }
            if (bound.All(b => b.Name != column.Name))
                bound.Add(column);
        }
        if (problems.Count > 0)
        {
            throw new SchemaMismatchException(
                $"Job '{jobName}': {string.Join("; ", problems)}. Source columns: {string.Join(", ", source.Select(c => c.Name))}.");
        }
        return bound;
    }

    /// <summary>The source column that feeds a model input: its mapping, or the column of the same name.</summary>
    public static string SourceColumn(string inputName, IReadOnlyDictionary<string, string>? featureMapping)
        => featureMapping is not null && featureMapping.TryGetValue(inputName, out var column) ? column : inputName;

    /// <summary>
    /// The batch as the model sees it: every source column, plus a copy of each mapped column under its model input
    /// name (the source names stay, for keys and passthrough). Without a mapping the batch itself.
    /// </summary>
    public static RowBatch ForModel(RowBatch batch, IReadOnlyList<ModelInput> inputs, IReadOnlyDictionary<string, string>? featureMapping)
    {
        var renamed = inputs
            .Where(i => SourceColumn(i.Name, featureMapping) != i.Name && batch.TryGetColumn(SourceColumn(i.Name, featureMapping), out _))
            .ToArray();
        if (renamed.Length == 0)
            return batch;
        var columns = batch.Columns.Where(c => renamed.All(r => r.Name != c.Name)).ToList();
        foreach (var input in renamed)
        {
            var source = batch[SourceColumn(input.Name, featureMapping)];
            var copy = BatchColumn.Create(source.Schema with { Name = input.Name }, batch.Capacity);
            source.CopyTo(0, copy, 0, batch.Count);
            columns.Add(copy);
        }
        return new RowBatch(columns) { Count = batch.Count };
    }

    public static bool CanFeed(ColumnKind source, ColumnKind input) => input switch
    {
        ColumnKind.Float32 or ColumnKind.Float64 => source.IsNumeric() || source == ColumnKind.Boolean,
        ColumnKind.Int64 => source is ColumnKind.Int16 or ColumnKind.Int32 or ColumnKind.Int64 or ColumnKind.Boolean,
        ColumnKind.Text => source == ColumnKind.Text,
        ColumnKind.Boolean => source == ColumnKind.Boolean,
        _ => source == input,
    };
}
