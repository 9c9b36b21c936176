using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
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

    private static string OutOfRangeHint(ColumnKind kind) => kind == ColumnKind.Decimal
        ? ": numeric values must fit .NET decimal (about ±7.9e28, at most 28 decimal places, no NaN or Infinity); cast or round the column in a source query"
        : "";

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
                try
                {
                    values[row] = exporter.Read<T>(dbType);
                }
                catch (Exception e) when (e is InvalidCastException or OverflowException or ArgumentException)
                {
                    throw new BatchScoringException(
                        $"Column '{column.Name}' ({column.Schema.SourceType ?? column.Kind.ToString()}): a value cannot be read as {typeof(T).Name}{OutOfRangeHint(column.Kind)} ({e.Message})", e);
                }
                nulls[row] = false;
            }
        };
    }
}
