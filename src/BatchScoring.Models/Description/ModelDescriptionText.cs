using BatchScoring.Core.Batches;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Models.Description;

/// <summary>The text of <c>models inspect</c>: the model, then (with a job) how each input binds to the job's source.</summary>
public static class ModelDescriptionText
{
    public static IEnumerable<string> Lines(string model, ModelDescription description, IReadOnlyList<ColumnSchema> writes)
    {
        yield return Line("model", model);
        yield return Line("format", description.Format);
        yield return Line("task", Task(description.Task));
        foreach (var line in Block("inputs", description.Inputs.Select(p => p.ToString())))
            yield return line;
        foreach (var line in Block("outputs", description.Outputs.Select(p => p.ToString())))
            yield return line;
        if (description.Classes.Count > 0)
            yield return Line("classes", string.Join(", ", description.Classes));
        yield return Line("features", string.Join(", ", description.FeatureOrder));
        yield return Line("writes", string.Join(", ", writes.Select(c => $"{c.Name} ({c.Kind})")));
    }

    /// <summary>The task in words: <c>binary classification</c>, <c>multiclass classification</c>, <c>regression</c>, <c>unknown</c>.</summary>
    public static string Task(ModelTask? task) => task switch
    {
        ModelTask.BinaryClassification => "binary classification",
        ModelTask.MulticlassClassification => "multiclass classification",
        ModelTask.Regression => "regression",
        _ => "unknown",
    };

    public static IEnumerable<string> FitLines(string job, string source, IReadOnlyList<InputFit> fits)
    {
        yield return Line("job", $"{job}, source {source}");
        var width = fits.Count == 0 ? 0 : fits.Max(f => f.Input.Name.Length);
        foreach (var (fit, i) in fits.Select((f, i) => (f, i)))
        {
            var column = fit.Column is { } c ? $"{fit.SourceColumn} ({c.SourceType ?? c.Kind.ToString()})" : fit.SourceColumn;
            var verdict = fit.Problem is null ? "ok" : $"MISFIT: {fit.Problem}";
            yield return Line(i == 0 ? "fit" : "", $"{fit.Input.Name.PadRight(width)} <- {column}: {verdict}");
        }
        var misfits = fits.Count(f => f.Problem is not null);
        yield return Line("result", misfits == 0
            ? $"fits: all {fits.Count} input(s) bind to the source"
            : $"misfit: {misfits} of {fits.Count} input(s) do not bind to the source");
    }

    private static IEnumerable<string> Block(string label, IEnumerable<string> values)
    {
        var first = true;
        foreach (var value in values)
        {
            yield return Line(first ? label : "", value);
            first = false;
        }
        if (first)
            yield return Line(label, "none");
    }

    private static string Line(string label, string value) => $"{label,-9} {value}";
}
