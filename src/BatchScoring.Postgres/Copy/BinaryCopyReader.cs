using BatchScoring.Core.Batches;
using Npgsql;

namespace BatchScoring.Postgres.Copy;

/// <summary>Fills <see cref="RowBatch"/>es from a binary COPY export, column by column, without boxing.</summary>
internal static class BinaryCopyReader
{
    private delegate void ValueReader(NpgsqlBinaryExporter exporter, int row);

    /// <summary>Reads up to <paramref name="batch"/>'s capacity rows; returns false when the export is exhausted and no row was read.</summary>
    public static async Task<bool> FillAsync(NpgsqlBinaryExporter exporter, RowBatch batch, CancellationToken cancellationToken)
    {
        var readers = batch.Columns.Select(ReaderFor).ToArray();
        var row = 0;
        while (row < batch.Capacity && await exporter.StartRowAsync(cancellationToken) != -1)
        {
            for (var c = 0; c < readers.Length; c++)
                readers[c](exporter, row);
            row++;
        }
        batch.Count = row;
        return row > 0;
    }

    private static ValueReader ReaderFor(BatchColumn column) => column switch
    {
        BatchColumn<bool> c => Typed(c),
        BatchColumn<short> c => Typed(c),
        BatchColumn<int> c => Typed(c),
        BatchColumn<long> c => Typed(c),
        BatchColumn<float> c => Typed(c),
        BatchColumn<double> c => Typed(c),
        BatchColumn<decimal> c => Typed(c),
        BatchColumn<string> c => Typed(c),
        BatchColumn<Guid> c => Typed(c),
        BatchColumn<DateOnly> c => Typed(c),
        BatchColumn<DateTime> c => Typed(c),
        _ => throw new NotSupportedException($"Column {column.Name}: {column.Kind} cannot be read from COPY."),
    };

    private static ValueReader Typed<T>(BatchColumn<T> column)
    {
        var dbType = PostgresTypeMap.DbType(column.Kind);
        var values = column.Values;
        var nulls = column.Nulls;
        return (exporter, row) =>
        {
            if (exporter.IsNull)
            {
                exporter.Skip();
                values[row] = default!;
                nulls[row] = true;
            }
            else
            {
                values[row] = exporter.Read<T>(dbType);
                nulls[row] = false;
            }
        };
    }
}
