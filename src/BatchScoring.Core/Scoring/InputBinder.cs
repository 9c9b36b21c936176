using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// Checks, before any row is read, that the source can feed every model input, and picks the
/// source columns to read. Numbers feed numeric inputs of any width; text feeds text; booleans feed booleans or numbers.
/// </summary>
public static class InputBinder
{
    public static IReadOnlyList<ColumnSchema> Bind(
        string jobName, string sourceName, IReadOnlyList<ColumnSchema> source, IReadOnlyList<ModelInput> inputs)
    {
        var byName = source.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        var bound = new List<ColumnSchema>();
        foreach (var input in inputs)
        {
            if (!byName.TryGetValue(input.Name, out var column))
            {
                if (!input.Optional)
                    problems.Add($"model input column '{input.Name}' ({input.Kind}) is missing from source {sourceName}");
                continue;
            }
            if (!CanFeed(column.Kind, input.Kind))
            {
                problems.Add($"source column '{column.Name}' is {column.SourceType ?? column.Kind.ToString()} but the model input '{input.Name}' needs {input.Kind}");
                continue;
            }
            bound.Add(column);
        }
        if (problems.Count > 0)
        {
            throw new SchemaMismatchException(
                $"Job '{jobName}': {string.Join("; ", problems)}. Source columns: {string.Join(", ", source.Select(c => c.Name))}.");
        }
        return bound;
    }

    public static bool CanFeed(ColumnKind source, ColumnKind input) => input switch
    {
        ColumnKind.Float32 or ColumnKind.Float64 => source.IsNumeric() || source == ColumnKind.Boolean,
        ColumnKind.Text => source == ColumnKind.Text,
        ColumnKind.Boolean => source == ColumnKind.Boolean,
        _ => source == input,
    };
}
