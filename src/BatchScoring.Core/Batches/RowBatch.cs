using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Batches;

/// <summary>
/// A columnar block of rows: one array per column, <see cref="Count"/> rows used out of the capacity.
/// Readers fill it, scorers read it, writers drain it; no per-row objects exist.
/// </summary>
public sealed class RowBatch
{
    private readonly Dictionary<string, BatchColumn> _byName;

    public RowBatch(IReadOnlyList<ColumnSchema> schema, int capacity)
        : this(schema.Select(c => BatchColumn.Create(c, capacity)).ToArray())
    {
    }

    public RowBatch(IReadOnlyList<BatchColumn> columns)
    {
        Columns = columns;
        _byName = new Dictionary<string, BatchColumn>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (!_byName.TryAdd(column.Name, column))
                throw new ArgumentException($"Duplicate column '{column.Name}' in a batch.", nameof(columns));
        }
        Capacity = columns.Count == 0 ? 0 : columns[0].Capacity;
    }

    public IReadOnlyList<BatchColumn> Columns { get; }
    public int Capacity { get; }
    public int Count { get; set; }

    /// <summary>
    /// Rows the reader could not decode (stage "read"), with the column and reason; their cell is left null.
    /// Null when every row was read, so a clean batch costs nothing.
    /// </summary>
    public List<BadRow>? Unreadable { get; set; }
    public IReadOnlyList<ColumnSchema> Schema => Columns.Select(c => c.Schema).ToArray();

    public BatchColumn this[string name] => _byName.TryGetValue(name, out var c)
        ? c
        : throw new KeyNotFoundException($"The batch has no column '{name}'.");

    public bool TryGetColumn(string name, out BatchColumn column) => _byName.TryGetValue(name, out column!);

    public BatchColumn<T> Column<T>(string name) => (BatchColumn<T>)this[name];

    /// <summary>Concatenates batches with the given columns into one (e.g. for training, which needs all rows at once).</summary>
    public static RowBatch Concat(IReadOnlyList<ColumnSchema> schema, IReadOnlyCollection<RowBatch> batches)
    {
        var total = batches.Sum(b => b.Count);
        var result = new RowBatch(schema, total) { Count = total };
        var offset = 0;
        foreach (var batch in batches)
        {
            foreach (var column in result.Columns)
                batch[column.Name].CopyTo(0, column, offset, batch.Count);
            offset += batch.Count;
        }
        return result;
    }
}
