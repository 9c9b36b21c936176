namespace BatchScoring.Core.Batches;

/// <summary>
/// One column of a <see cref="RowBatch"/>: a typed value array plus a null mask.
/// Values of null rows are left at their default and must not be read.
/// </summary>
public abstract class BatchColumn(ColumnSchema schema, int capacity)
{
    public ColumnSchema Schema { get; } = schema;
    public string Name => Schema.Name;
    public ColumnKind Kind => Schema.Kind;
    public bool[] Nulls { get; } = new bool[capacity];
    public int Capacity => Nulls.Length;

    public bool IsNull(int row) => Nulls[row];

    /// <summary>The value of a row as an object; for diagnostics and dead letters, never the hot path.</summary>
    public abstract object? GetBoxed(int row);

    /// <summary>Copies values and nulls of <paramref name="count"/> rows into a column of the same kind.</summary>
    public abstract void CopyTo(int sourceRow, BatchColumn target, int targetRow, int count);

    public static BatchColumn Create(ColumnSchema schema, int capacity) => schema.Kind switch
    {
        ColumnKind.Boolean => new BatchColumn<bool>(schema, capacity),
        ColumnKind.Int16 => new BatchColumn<short>(schema, capacity),
        ColumnKind.Int32 => new BatchColumn<int>(schema, capacity),
        ColumnKind.Int64 => new BatchColumn<long>(schema, capacity),
        ColumnKind.Float32 => new BatchColumn<float>(schema, capacity),
        ColumnKind.Float64 => new BatchColumn<double>(schema, capacity),
        ColumnKind.Decimal => new BatchColumn<decimal>(schema, capacity),
        ColumnKind.Text => new BatchColumn<string>(schema, capacity),
        ColumnKind.Uuid => new BatchColumn<Guid>(schema, capacity),
        ColumnKind.Date => new BatchColumn<DateOnly>(schema, capacity),
        ColumnKind.Timestamp or ColumnKind.TimestampTz => new BatchColumn<DateTime>(schema, capacity),
        _ => throw new ArgumentOutOfRangeException(nameof(schema), schema.Kind, "Unsupported column kind."),
    };
}

public sealed class BatchColumn<T> : BatchColumn
{
    public BatchColumn(ColumnSchema schema, int capacity) : base(schema, capacity)
    {
        if (schema.Kind.ClrType() != typeof(T))
            throw new ArgumentException($"Column {schema.Name} of kind {schema.Kind} cannot hold {typeof(T).Name}.");
        Values = new T[capacity];
    }

    public T[] Values { get; }

    public void Set(int row, T value)
    {
        Values[row] = value;
        Nulls[row] = false;
    }

    public void SetNull(int row)
    {
        Values[row] = default!;
        Nulls[row] = true;
    }

    public override object? GetBoxed(int row) => Nulls[row] ? null : Values[row];

    public override void CopyTo(int sourceRow, BatchColumn target, int targetRow, int count)
    {
        var typed = (BatchColumn<T>)target;
        Array.Copy(Values, sourceRow, typed.Values, targetRow, count);
        Array.Copy(Nulls, sourceRow, typed.Nulls, targetRow, count);
    }
}
