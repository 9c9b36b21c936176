using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Reads a batch column as the numbers or category labels a sketch counts: one type test per column and batch,
/// then a loop over the typed values. Values of null rows are whatever the column holds; callers skip them.
/// </summary>
internal static class ColumnValues
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>
    /// The first <paramref name="rows"/> values as doubles (dates as days and timestamps as seconds since 1970-01-01):
    /// a double column's own values, else converted into <paramref name="buffer"/>.
    /// </summary>
    public static ReadOnlySpan<double> Numbers(BatchColumn column, int rows, double[] buffer)
    {
        var into = buffer.AsSpan(0, rows);
        switch (column)
        {
            case BatchColumn<double> c:
                return c.Values.AsSpan(0, rows);
            case BatchColumn<float> c:
                Convert(c.Values, into, v => v);
                break;
            case BatchColumn<int> c:
                Convert(c.Values, into, v => v);
                break;
            case BatchColumn<long> c:
                Convert(c.Values, into, v => v);
                break;
            case BatchColumn<short> c:
                Convert(c.Values, into, v => v);
                break;
            case BatchColumn<decimal> c:
                Convert(c.Values, into, v => (double)v);
                break;
            case BatchColumn<DateOnly> c:
                Convert(c.Values, into, v => v.DayNumber - UnixEpochDay);
                break;
            case BatchColumn<DateTime> c:
                Convert(c.Values, into, v => (v.Ticks - UnixEpochTicks) / (double)TimeSpan.TicksPerSecond);
                break;
            default:
                throw new InvalidOperationException($"Column {column.Schema} is not numeric.");
        }
        return into;
    }

    /// <summary>The first <paramref name="rows"/> values as category labels: a text column's own strings, else formatted.</summary>
    public static ReadOnlySpan<string> Categories(BatchColumn column, int rows) => column switch
    {
        BatchColumn<string> c => c.Values.AsSpan(0, rows),
        BatchColumn<Guid> c => c.Values.Take(rows).Select(v => v.ToString("D")).ToArray(),
        BatchColumn<bool> c => c.Values.Take(rows).Select(v => v ? "true" : "false").ToArray(),
        _ => throw new InvalidOperationException($"Column {column.Schema} is not categorical."),
    };

    private static void Convert<T>(T[] values, Span<double> into, Func<T, double> convert)
    {
        for (var row = 0; row < into.Length; row++)
            into[row] = convert(values[row]);
    }
}
