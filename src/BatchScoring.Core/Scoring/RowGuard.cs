using System.Globalization;
using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// Finds, column by column, the rows a model cannot take: infinite numbers anywhere, numbers a float32 input
/// cannot hold, and nulls or NaN in inputs that do not accept missing values.
/// </summary>
public static class RowGuard
{
    /// <summary>The batch's columns are named as the model inputs (feature mapping is applied before, by <see cref="InputBinder.ForModel"/>).</summary>
    public static List<BadRow> Check(RowBatch batch, IReadOnlyList<ModelInput> inputs)
    {
        var bad = new List<BadRow>();
        foreach (var input in inputs)
        {
            if (!batch.TryGetColumn(input.Name, out var column))
                continue;
            var nulls = column.Nulls;
            for (var row = 0; row < batch.Count; row++)
            {
                if (nulls[row])
                {
                    if (!input.AcceptsMissing)
                        bad.Add(new BadRow(row, column.Name, "score", $"null in '{column.Name}', which the model input '{input.Name}' cannot take"));
                    continue;
                }
                var reason = column switch
                {
                    BatchColumn<double> c => Describe(c.Values[row], input),
                    BatchColumn<float> c => Describe(c.Values[row], input),
                    _ => null,
                };
                if (reason is not null)
                    bad.Add(new BadRow(row, column.Name, "score", $"{reason} in '{column.Name}'"));
            }
        }
        return bad;
    }

    private static string? Describe(double value, ModelInput input)
        => double.IsInfinity(value) ? $"{value} is not a valid model input"
            : input.Kind == ColumnKind.Float32 && Math.Abs(value) > float.MaxValue
                ? $"{value.ToString(CultureInfo.InvariantCulture)} is beyond the range of the float32 model input '{input.Name}'"
            : double.IsNaN(value) && !input.AcceptsMissing ? $"NaN, which the model input '{input.Name}' cannot take"
            : null;
}
