using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// Hashes the key columns of each row of a batch, stably across processes, for the bottom-k
/// samples: the same key gives the same hash in whatever partition it is read. Integer keys hash
/// the same whatever their width, so a key read as int or bigint samples identically.
/// </summary>
public static class RowKeyHasher
{
    public static ulong[] Hash(RowBatch batch, IReadOnlyList<string> keyColumns)
    {
        if (keyColumns.Count == 0)
            throw new BatchScoringException("Drift sampling needs the source's key columns, and none are configured.");
        var columns = keyColumns.Select(name => batch.TryGetColumn(name, out var c)
            ? c
            : throw new BatchScoringException($"The batch has no key column '{name}' to hash for drift sampling.")).ToArray();
        var hashes = new ulong[batch.Count];
        Span<byte> bytes = stackalloc byte[16];
        for (var row = 0; row < batch.Count; row++)
        {
            var state = StableHash.Start;
            foreach (var column in columns)
                state = AddValue(state, column, row, bytes);
            hashes[row] = StableHash.Finish(state);
        }
        return hashes;
    }

    private static ulong AddValue(ulong state, BatchColumn column, int row, Span<byte> bytes)
    {
        if (column.IsNull(row))
            return StableHash.Add(state, [0]);
        return column switch
        {
            BatchColumn<short> c => Tagged(state, 1, (ulong)c.Values[row]),
            BatchColumn<int> c => Tagged(state, 1, (ulong)c.Values[row]),
            BatchColumn<long> c => Tagged(state, 1, (ulong)c.Values[row]),
            BatchColumn<string> c => StableHash.Add(StableHash.Add(state, [2]), c.Values[row]),
            BatchColumn<Guid> c => c.Values[row].TryWriteBytes(bytes) ? StableHash.Add(StableHash.Add(state, [3]), bytes) : state,
            BatchColumn<double> c => Tagged(state, 4, (ulong)BitConverter.DoubleToInt64Bits(c.Values[row])),
            BatchColumn<float> c => Tagged(state, 4, (ulong)BitConverter.DoubleToInt64Bits(c.Values[row])),
            BatchColumn<decimal> c => StableHash.Add(StableHash.Add(state, [5]), c.Values[row].ToString(System.Globalization.CultureInfo.InvariantCulture)),
            BatchColumn<DateOnly> c => Tagged(state, 6, (ulong)c.Values[row].DayNumber),
            BatchColumn<DateTime> c => Tagged(state, 7, (ulong)c.Values[row].Ticks),
            BatchColumn<bool> c => Tagged(state, 8, c.Values[row] ? 1UL : 0UL),
            _ => throw new BatchScoringException($"Key column {column.Schema} has a type drift sampling cannot hash."),
        };
    }

    private static ulong Tagged(ulong state, byte tag, ulong value) => StableHash.Add(StableHash.Add(state, [tag]), value);
}
