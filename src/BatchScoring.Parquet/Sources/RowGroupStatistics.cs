using BatchScoring.Core.Runs;
using Parquet;
using Parquet.Schema;

namespace BatchScoring.Parquet.Sources;

/// <summary>
/// Skips row groups whose timestamp statistics lie wholly outside a window. Statistics come as raw
/// physical values; whatever cannot be interpreted for sure keeps the row group (rows are filtered anyway).
/// </summary>
internal static class RowGroupStatistics
{
    public static bool MayOverlap(ParquetRowGroupReader group, DataField timestamp, TimeWindow window)
    {
        if (group.GetStatistics(timestamp) is not { } statistics
            || ToTicks(statistics.MinValue, timestamp) is not { } min
            || ToTicks(statistics.MaxValue, timestamp) is not { } max)
            return true;
        return max >= window.StartUtc.Ticks && min < window.EndUtc.Ticks;
    }

    private static long? ToTicks(object? value, DataField field) => value switch
    {
        DateTime d => d.Ticks,
        DateOnly d => d.ToDateTime(TimeOnly.MinValue).Ticks,
        long raw when field is DateTimeDataField { DateTimeFormat: DateTimeFormat.Timestamp } t => t.Unit switch
        {
            DateTimeTimeUnit.Millis => DateTime.UnixEpoch.Ticks + raw * TimeSpan.TicksPerMillisecond,
            DateTimeTimeUnit.Micros => DateTime.UnixEpoch.Ticks + raw * TimeSpan.TicksPerMicrosecond,
            DateTimeTimeUnit.Nanos => DateTime.UnixEpoch.Ticks + raw / 100,
            _ => null,
        },
        int days when field is DateTimeDataField { DateTimeFormat: DateTimeFormat.Date } => DateTime.UnixEpoch.AddDays(days).Ticks,
        _ => null,
    };
}
