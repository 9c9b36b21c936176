using BatchScoring.Core.Batches;
using Parquet;
using Parquet.Schema;

namespace BatchScoring.Parquet.Sources;

/// <summary>Reads one column of one row group into a <see cref="BatchColumn"/>, widening small and unsigned integers.</summary>
internal static class ParquetColumnReader
{
    public static async Task<BatchColumn> ReadAsync(
        ParquetRowGroupReader group, DataField field, ColumnSchema target, int rows, CancellationToken cancellationToken)
    {
        var column = BatchColumn.Create(target, rows);
        var type = field.ClrType;
        var task = column switch
        {
            BatchColumn<string> c => ReadStringsAsync(group, field, c, cancellationToken),
            BatchColumn<bool> c => ReadAsync<bool, bool>(group, field, c, v => v, cancellationToken),
            BatchColumn<short> c when type == typeof(sbyte) => ReadAsync<sbyte, short>(group, field, c, v => v, cancellationToken),
            BatchColumn<short> c when type == typeof(byte) => ReadAsync<byte, short>(group, field, c, v => v, cancellationToken),
            BatchColumn<short> c => ReadAsync<short, short>(group, field, c, v => v, cancellationToken),
            BatchColumn<int> c when type == typeof(ushort) => ReadAsync<ushort, int>(group, field, c, v => v, cancellationToken),
            BatchColumn<int> c => ReadAsync<int, int>(group, field, c, v => v, cancellationToken),
            BatchColumn<long> c when type == typeof(uint) => ReadAsync<uint, long>(group, field, c, v => v, cancellationToken),
            BatchColumn<long> c => ReadAsync<long, long>(group, field, c, v => v, cancellationToken),
            BatchColumn<decimal> c when type == typeof(ulong) => ReadAsync<ulong, decimal>(group, field, c, v => v, cancellationToken),
            BatchColumn<decimal> c => ReadAsync<decimal, decimal>(group, field, c, v => v, cancellationToken),
            BatchColumn<float> c => ReadAsync<float, float>(group, field, c, v => v, cancellationToken),
            BatchColumn<double> c => ReadAsync<double, double>(group, field, c, v => v, cancellationToken),
            BatchColumn<Guid> c => ReadAsync<Guid, Guid>(group, field, c, v => v, cancellationToken),
            BatchColumn<DateOnly> c when type == typeof(DateTime) => ReadAsync<DateTime, DateOnly>(group, field, c, DateOnly.FromDateTime, cancellationToken),
            BatchColumn<DateOnly> c => ReadAsync<DateOnly, DateOnly>(group, field, c, v => v, cancellationToken),
            BatchColumn<DateTime> c => ReadAsync<DateTime, DateTime>(group, field, c,
                target.Kind == ColumnKind.TimestampTz
                    ? v => DateTime.SpecifyKind(v, DateTimeKind.Utc)
                    : v => DateTime.SpecifyKind(v, DateTimeKind.Unspecified),
                cancellationToken),
            _ => throw new NotSupportedException($"Column {target.Name}: {target.Kind} cannot be read from Parquet."),
        };
        await task;
        return column;
    }

    private static async Task ReadAsync<TIn, TOut>(
        ParquetRowGroupReader group, DataField field, BatchColumn<TOut> column, Func<TIn, TOut> convert, CancellationToken cancellationToken)
        where TIn : struct
    {
        var buffer = new TIn?[column.Capacity];
        await group.ReadAsync<TIn>(field, buffer.AsMemory(), null, cancellationToken);
        for (var row = 0; row < buffer.Length; row++)
        {
            if (buffer[row] is { } value)
                column.Set(row, convert(value));
            else
                column.SetNull(row);
        }
    }

    private static async Task ReadStringsAsync(ParquetRowGroupReader group, DataField field, BatchColumn<string> column, CancellationToken cancellationToken)
    {
        var buffer = new string?[column.Capacity];
        await group.ReadAsync(field, buffer.AsMemory(), null, cancellationToken);
        for (var row = 0; row < buffer.Length; row++)
        {
            if (buffer[row] is { } value)
                column.Set(row, value);
            else
                column.SetNull(row);
        }
    }
}
