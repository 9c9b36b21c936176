using BatchScoring.Core.Batches;
using Parquet;
using Parquet.Schema;

namespace BatchScoring.Parquet.Sinks;

/// <summary>The Parquet field of each <see cref="ColumnKind"/> and how a batch column is written into a row group.</summary>
internal static class ParquetColumnWriter
{
    /// <summary>Precision and scale of decimal columns: .NET decimals with up to 20 integer and 18 fractional digits.</summary>
    public const int DecimalPrecision = 38;
    public const int DecimalScale = 18;

    public static DataField Field(ColumnSchema column) => column.Kind switch
    {
        ColumnKind.Boolean => new DataField<bool?>(column.Name),
        ColumnKind.Int16 => new DataField<short?>(column.Name),
        ColumnKind.Int32 => new DataField<int?>(column.Name),
        ColumnKind.Int64 => new DataField<long?>(column.Name),
        ColumnKind.Float32 => new DataField<float?>(column.Name),
        ColumnKind.Float64 => new DataField<double?>(column.Name),
        ColumnKind.Decimal => new DecimalDataField(column.Name, DecimalPrecision, DecimalScale, isNullable: true),
        ColumnKind.Text => new DataField<string>(column.Name, nullable: true),
        ColumnKind.Uuid => new DataField<Guid?>(column.Name),
        ColumnKind.Date => new DataField<DateOnly?>(column.Name),
        ColumnKind.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: true),
        ColumnKind.TimestampTz => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "Unsupported column kind."),
    };

    public static Task WriteAsync(ParquetRowGroupWriter group, DataField field, BatchColumn column, int count, CancellationToken cancellationToken)
        => column switch
        {
            BatchColumn<string> c => group.WriteAsync(field, Strings(c, count)),
            BatchColumn<bool> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<short> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<int> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<long> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<float> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<double> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<decimal> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<Guid> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<DateOnly> c => Write(group, field, c, count, cancellationToken),
            BatchColumn<DateTime> c => Write(group, field, c, count, cancellationToken),
            _ => throw new NotSupportedException($"Column {column.Name}: {column.Kind} cannot be written to Parquet."),
        };

    private static Task Write<T>(ParquetRowGroupWriter group, DataField field, BatchColumn<T> column, int count, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new T?[count];
        for (var row = 0; row < count; row++)
            values[row] = column.Nulls[row] ? null : column.Values[row];
        return group.WriteAsync<T>(field, values.AsMemory(), null, null, cancellationToken);
    }

    private static string[] Strings(BatchColumn<string> column, int count)
    {
        var values = new string[count];
        for (var row = 0; row < count; row++)
            values[row] = column.Nulls[row] ? null! : column.Values[row];
        return values;
    }
}
