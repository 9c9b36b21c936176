namespace BatchScoring.Core.Batches;

public static class RowSelection
{
    /// <summary>A new batch holding only the rows of <paramref name="batch"/> listed in <paramref name="rows"/> (ascending).</summary>
    public static RowBatch Take(this RowBatch batch, IReadOnlyList<int> rows)
    {
        var result = new RowBatch(batch.Schema, Math.Max(rows.Count, 1)) { Count = rows.Count };
        for (var c = 0; c < batch.Columns.Count; c++)
        {
            var source = batch.Columns[c];
            var target = result.Columns[c];
            for (var i = 0; i < rows.Count; i++)
                source.CopyTo(rows[i], target, i, 1);
        }
        return result;
    }
}
