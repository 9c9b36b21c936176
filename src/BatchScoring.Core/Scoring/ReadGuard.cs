using BatchScoring.Core.Batches;

namespace BatchScoring.Core.Scoring;

/// <summary>
/// Finds the rows of a batch as read that cannot go on to scoring: values the reader could not decode, and
/// null key columns (a row without its key can be neither written nor told apart). Cheap scans of the null masks.
/// </summary>
public static class ReadGuard
{
    /// <summary>The rejected rows, at most one per row, in row order; null when there are none.</summary>
    public static List<BadRow>? Check(RowBatch batch, IReadOnlyList<string> keyColumns)
    {
        List<BadRow>? bad = null;
        foreach (var unreadable in batch.Unreadable ?? [])
        {
            if (bad is null || bad.TrueForAll(b => b.Row != unreadable.Row))
                (bad ??= []).Add(unreadable);
        }
        foreach (var key in keyColumns)
        {
            if (!batch.TryGetColumn(key, out var column))
                continue;
            var nulls = column.Nulls;
            for (var row = 0; row < batch.Count; row++)
            {
                if (nulls[row] && (bad is null || bad.TrueForAll(b => b.Row != row)))
                    (bad ??= []).Add(new BadRow(row, key, "read", $"key column '{key}' is null"));
            }
        }
        bad?.Sort((a, b) => a.Row.CompareTo(b.Row));
        return bad;
    }
}
