using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Models.Description;

/// <summary>How one model input binds to a source: the column that feeds it, and what is wrong, if anything.</summary>
public sealed record InputFit(ModelInput Input, string SourceColumn, ColumnSchema? Column, string? Problem);

/// <summary>
/// The fit of a bound model's inputs to a source's columns, input by input, by the rules of <see cref="InputBinder"/>
/// (same names, through <c>features:</c> or <c>model.inputs</c>), for <c>models inspect --job</c>.
/// </summary>
public static class ModelFit
{
    public static IReadOnlyList<InputFit> Check(
        string sourceName, IReadOnlyList<ModelInput> inputs, IReadOnlyList<ColumnSchema> source, IReadOnlyDictionary<string, string>? featureMapping)
    {
        var byName = source.ToDictionary(c => c.Name, StringComparer.Ordinal);
        return inputs.Select(input =>
        {
            var name = InputBinder.SourceColumn(input.Name, featureMapping);
            var origin = input.Origin is null ? "" : $"{input.Origin}: ";
            if (!byName.TryGetValue(name, out var column))
                return new InputFit(input, name, null, input.Optional ? null : $"{origin}source {sourceName} has no column '{name}'");
            return InputBinder.CanFeed(column.Kind, input.Kind)
                ? new InputFit(input, name, column, null)
                : new InputFit(input, name, column, $"{origin}source column '{name}' is {column.SourceType ?? column.Kind.ToString()} but the model input needs {input.Kind}");
        }).ToArray();
    }
}
