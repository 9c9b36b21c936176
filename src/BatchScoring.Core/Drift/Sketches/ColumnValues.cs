using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>Reads a batch column as the numbers or category labels a sketch counts.</summary>
internal static class ColumnValues
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;
    private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>Numbers as doubles; dates as days and timestamps as seconds since 1970-01-01.</summary>
    public static double Number(BatchColumn column, int row) => column switch
    {
        BatchColumn<double> c => c.Values[row],
        BatchColumn<float> c => c.Values[row],
        BatchColumn<int> c => c.Values[row],
        BatchColumn<long> c => c.Values[row],
        BatchColumn<short> c => c.Values[row],
        BatchColumn<decimal> c => (double)c.Values[row],
        BatchColumn<DateOnly> c => c.Values[row].DayNumber - UnixEpochDay,
        BatchColumn<DateTime> c => (c.Values[row].Ticks - UnixEpochTicks) / (double)TimeSpan.TicksPerSecond,
        _ => throw new InvalidOperationException($"Column {column.Schema} is not numeric."),
    };

    public static string Category(BatchColumn column, int row) => column switch
    {
        BatchColumn<string> c => c.Values[row],
        BatchColumn<Guid> c => c.Values[row].ToString("D"),
        BatchColumn<bool> c => c.Values[row] ? "true" : "false",
        _ => throw new InvalidOperationException($"Column {column.Schema} is not categorical."),
    };
}
