using System.Text;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Sql;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// The output columns every scorer produces for a task, so that the ML.NET and the ONNX version of
/// the same model write the same table: <c>score</c>, <c>probability</c>, <c>predicted_label</c>,
/// and for multiclass models <c>probability_&lt;class&gt;</c> per class, in the model's class order.
/// </summary>
public static class PredictionColumns
{
    public const string Score = "score";
    public const string Probability = "probability";
    public const string PredictedLabel = "predicted_label";
    public const string ClassProbabilityPrefix = "probability_";

    public static readonly ColumnSchema ScoreColumn = new(Score, ColumnKind.Float32);
    public static readonly ColumnSchema ProbabilityColumn = new(Probability, ColumnKind.Float32);
    public static readonly ColumnSchema BinaryLabelColumn = new(PredictedLabel, ColumnKind.Boolean);
    public static readonly ColumnSchema ClassLabelColumn = new(PredictedLabel, ColumnKind.Text);

    /// <summary>The columns of a multiclass model: the predicted class, then one probability per class.</summary>
    public static IReadOnlyList<ColumnSchema> Multiclass(IReadOnlyList<string> classes)
        => [ClassLabelColumn, .. ClassProbabilityColumns(classes).Select(c => new ColumnSchema(c, ColumnKind.Float32))];

    /// <summary>
    /// <c>probability_&lt;class&gt;</c> for each class: lower case, characters other than letters,
    /// digits and underscores become underscores. Two classes that end up with the same column name are refused.
    /// </summary>
    public static IReadOnlyList<string> ClassProbabilityColumns(IReadOnlyList<string> classes)
    {
        var names = classes.Select(c => ClassProbabilityPrefix + Sanitize(c)).ToArray();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (!SqlIdentifier.IsValidPart(names[i]))
                throw new SchemaMismatchException($"Class '{classes[i]}' gives the column name '{names[i]}', which is not a valid PostgreSQL column name.");
            if (!seen.TryAdd(names[i], classes[i]))
                throw new SchemaMismatchException($"Classes '{seen[names[i]]}' and '{classes[i]}' both give the column name '{names[i]}'.");
        }
        return names;
    }

    private static string Sanitize(string className)
    {
        var builder = new StringBuilder(className.Length);
        foreach (var c in className.Trim().ToLowerInvariant())
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return builder.ToString();
    }
}
