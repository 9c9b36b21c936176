using BatchScoring.Core.Batches;
using Npgsql;

namespace BatchScoring.Postgres.Copy;

/// <summary>Writes the columns of a <see cref="RowBatch"/> into a binary COPY import, without boxing.</summary>
public sealed class BinaryCopyWriter
{
    public delegate void ValueWriter(NpgsqlBinaryImporter importer, int row);

    private readonly ValueWriter[] _writers;

    public BinaryCopyWriter(IEnumerable<BatchColumn> columns) => _writers = columns.Select(WriterFor).ToArray();

    /// <summary>Writes this row's values; the caller has started the row and may append more values after.</summary>
    public void WriteValues(NpgsqlBinaryImporter importer, int row)
    {
        foreach (var writer in _writers)
            writer(importer, row);
    }

    /// <summary>COPYs whole batches into <paramref name="table"/>'s columns of the same names.</summary>
    public static async Task<ulong> CopyAsync(
        NpgsqlConnection connection, string quotedTable, IAsyncEnumerable<RowBatch> batches, CancellationToken cancellationToken)
    {
        NpgsqlBinaryImporter? importer = null;
        try
        {
            await foreach (var batch in batches.WithCancellation(cancellationToken))
            {
                importer ??= await connection.BeginBinaryImportAsync(
                    $"COPY {quotedTable} ({ColumnList(batch.Schema)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
                var writer = new BinaryCopyWriter(batch.Columns);
                for (var row = 0; row < batch.Count; row++)
                {
                    await importer.StartRowAsync(cancellationToken);
                    writer.WriteValues(importer, row);
                }
            }
            return importer is null ? 0 : await importer.CompleteAsync(cancellationToken);
        }
        finally
        {
            if (importer is not null)
                await importer.DisposeAsync();
        }
    }

    public static string ColumnList(IEnumerable<ColumnSchema> columns)
        => string.Join(", ", columns.Select(c => Core.Sql.SqlIdentifier.Quote(c.Name)));

    private static ValueWriter WriterFor(BatchColumn column) => column switch
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
        _ => throw new NotSupportedException($"Column {column.Name}: {column.Kind} cannot be written by COPY."),
    };

    private static ValueWriter Typed<T>(BatchColumn<T> column)
    {
        var dbType = PostgresTypeMap.DbType(column.Kind);
        var values = column.Values;
        var nulls = column.Nulls;
        return (importer, row) =>
        {
            if (nulls[row])
                importer.WriteNull();
            else
                importer.Write(values[row], dbType);
        };
    }
}
