using BatchScoring.Core.Batches;
using Npgsql;

namespace BatchScoring.Postgres.Copy;

/// <summary>Encodes the columns of a <see cref="RowBatch"/> into a <see cref="BinaryCopyBuffer"/>, row by row, without boxing.</summary>
public sealed class BinaryCopyWriter
{
    private delegate void ValueWriter(BinaryCopyBuffer buffer, int row);

    private readonly ValueWriter[] _writers;

    public BinaryCopyWriter(IEnumerable<BatchColumn> columns) => _writers = columns.Select(WriterFor).ToArray();

    public int ColumnCount => _writers.Length;

    /// <summary>Writes this row's values; the caller has started the row and may append more values after.</summary>
    public void WriteValues(BinaryCopyBuffer buffer, int row)
    {
        foreach (var writer in _writers)
            writer(buffer, row);
    }

    /// <summary>COPYs whole batches into <paramref name="quotedTable"/>'s columns of the same names; returns the rows copied.</summary>
    public static async Task<ulong> CopyAsync(
        NpgsqlConnection connection, string quotedTable, IAsyncEnumerable<RowBatch> batches, CancellationToken cancellationToken)
    {
        BinaryCopyImport? import = null;
        try
        {
            ulong rows = 0;
            await foreach (var batch in batches.WithCancellation(cancellationToken))
            {
                import ??= await BinaryCopyImport.BeginAsync(connection, quotedTable, batch.Schema.Select(c => c.Name), cancellationToken);
                var writer = new BinaryCopyWriter(batch.Columns);
                for (var row = 0; row < batch.Count; row++)
                {
                    import.Buffer.StartRow(writer.ColumnCount);
                    writer.WriteValues(import.Buffer, row);
                }
                rows += (ulong)batch.Count;
                await import.FlushAsync(cancellationToken);
            }
            if (import is not null)
                await import.CompleteAsync(cancellationToken);
            return rows;
        }
        finally
        {
            if (import is not null)
                await import.DisposeAsync();
        }
    }

    public static string ColumnList(IEnumerable<ColumnSchema> columns)
        => string.Join(", ", columns.Select(c => Core.Sql.SqlIdentifier.Quote(c.Name)));

    private static ValueWriter WriterFor(BatchColumn column) => column switch
    {
        BatchColumn<bool> c => Typed(c, (b, v) => b.WriteBoolean(v)),
        BatchColumn<short> c => Typed(c, (b, v) => b.WriteInt16Value(v)),
        BatchColumn<int> c => Typed(c, (b, v) => b.WriteInt32Value(v)),
        BatchColumn<long> c => Typed(c, (b, v) => b.WriteInt64Value(v)),
        BatchColumn<float> c => Typed(c, (b, v) => b.WriteFloat32Value(v)),
        BatchColumn<double> c => Typed(c, (b, v) => b.WriteFloat64Value(v)),
        BatchColumn<decimal> c => Typed(c, (b, v) => b.WriteNumeric(v)),
        BatchColumn<string> c => Typed(c, (b, v) => b.WriteText(v)),
        BatchColumn<Guid> c => Typed(c, (b, v) => b.WriteUuid(v)),
        BatchColumn<DateOnly> c => Typed(c, (b, v) => b.WriteDate(v)),
        BatchColumn<DateTime> c when c.Kind == ColumnKind.TimestampTz => Typed(c, (b, v) => b.WriteTimestamp(v, withTimeZone: true)),
        BatchColumn<DateTime> c => Typed(c, (b, v) => b.WriteTimestamp(v, withTimeZone: false)),
        _ => throw new NotSupportedException($"Column {column.Name}: {column.Kind} cannot be written by COPY."),
    };

    private static ValueWriter Typed<T>(BatchColumn<T> column, Action<BinaryCopyBuffer, T> write)
    {
        var values = column.Values;
        var nulls = column.Nulls;
        return (buffer, row) =>
        {
            if (nulls[row])
                buffer.WriteNull();
            else
                write(buffer, values[row]);
        };
    }
}
