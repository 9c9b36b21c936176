using BatchScoring.Core.Batches;

namespace BatchScoring.Parquet.Sources;

/// <summary>Keeps the rows whose timestamp (or date) lies in <c>[Start, End)</c>; rows with a null timestamp belong to no window.</summary>
internal sealed record RowWindowFilter(string Column, DateTime Start, DateTime End)
{
    public RowBatch Apply(RowBatch chunk, BatchColumn timestamp)
    {
        var keep = new List<int>(chunk.Count);
        for (var row = 0; row < chunk.Count; row++)
        {
            if (!timestamp.IsNull(row) && Instant(timestamp, row) is var t && t >= Start.Ticks && t < End.Ticks)
                keep.Add(row);
        }
        if (keep.Count == chunk.Count)
            return chunk;
        var filtered = new RowBatch(chunk.Schema, keep.Count) { Count = keep.Count };
        foreach (var column in filtered.Columns)
        {
            var source = chunk[column.Name];
            for (var i = 0; i < keep.Count; i++)
                source.CopyTo(keep[i], column, i, 1);
        }
        return filtered;
    }

    private static long Instant(BatchColumn column, int row) => column switch
    {
        BatchColumn<DateTime> c => c.Values[row].Ticks,
        BatchColumn<DateOnly> c => c.Values[row].ToDateTime(TimeOnly.MinValue).Ticks,
        _ => throw new InvalidOperationException($"Column {column.Name} is not a timestamp."),
    };
}
