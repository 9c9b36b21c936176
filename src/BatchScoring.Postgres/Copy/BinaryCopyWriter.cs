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
        NpgsqlRawCopyStream? stream = null;
        var buffer = new BinaryCopyBuffer();
        ulong rows = 0;
        try
        {
            await foreach (var batch in batches.WithCancellation(cancellationToken))
            {
                if (stream is null)
                {
                    stream = await connection.BeginRawBinaryCopyAsync(
                        $"COPY {quotedTable} ({ColumnList(batch.Schema)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
                    buffer.WriteHeader();
                }
                var writer = new BinaryCopyWriter(batch.Columns);
                for (var row = 0; row < batch.Count; row++)
                {
                    buffer.StartRow(writer.ColumnCount);
                    writer.WriteValues(buffer, row);
                }
                rows += (ulong)batch.Count;
                await stream.WriteAsync(buffer.Written, cancellationToken);
                buffer.Clear();
            }
            if (stream is null)
                return 0;
            buffer.WriteTrailer();
            await stream.WriteAsync(buffer.Written, cancellationToken);
            // Disposing a raw COPY stream ends the COPY; the server's verdict (constraint errors, …) comes back here.
            await stream.DisposeAsync();
            stream = null;
            return rows;
        }
        finally
        {
            if (stream is not null)
                await CancelAsync(stream);
        }
    }

    /// <summary>Abandons an unfinished COPY so that nothing of it is kept; a broken connection fails this too, and the caller's error is what matters.</summary>
    public static async Task CancelAsync(NpgsqlRawCopyStream stream)
    {
        try
        {
            await stream.CancelAsync();
            await stream.DisposeAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
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
