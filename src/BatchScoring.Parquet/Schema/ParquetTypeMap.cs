using BatchScoring.Core.Batches;
using Parquet.Schema;

namespace BatchScoring.Parquet.Schema;

/// <summary>How Parquet columns (physical type + logical type, as Parquet.Net exposes them) map to <see cref="ColumnKind"/>s, and back.</summary>
public static class ParquetTypeMap
{
    /// <summary>The kind a Parquet column reads as, or null when it has no kind here (binary, time, nested).</summary>
    public static ColumnKind? KindOf(DataField field)
    {
        if (field.IsArray || field.MaxRepetitionLevel > 0)
            return null;
        if (field is DateTimeDataField dateTime)
        {
            return dateTime.DateTimeFormat == DateTimeFormat.Date ? ColumnKind.Date
                : dateTime.IsAdjustedToUTC && dateTime.DateTimeFormat != DateTimeFormat.Impala ? ColumnKind.TimestampTz
                : ColumnKind.Timestamp;
        }
        if (field is TimeDataField)
            return null;
        var type = field.ClrType;
        return type == typeof(bool) ? ColumnKind.Boolean
            : type == typeof(sbyte) || type == typeof(byte) || type == typeof(short) ? ColumnKind.Int16
            : type == typeof(ushort) || type == typeof(int) ? ColumnKind.Int32
            : type == typeof(uint) || type == typeof(long) ? ColumnKind.Int64
            : type == typeof(ulong) || type == typeof(decimal) ? ColumnKind.Decimal
            : type == typeof(float) ? ColumnKind.Float32
            : type == typeof(double) ? ColumnKind.Float64
            : type == typeof(ReadOnlyMemory<char>) || type == typeof(string) ? ColumnKind.Text
            : type == typeof(Guid) ? ColumnKind.Uuid
            : type == typeof(DateOnly) ? ColumnKind.Date
            : type == typeof(DateTime) ? ColumnKind.Timestamp
            : null;
    }

    /// <summary>The column's type as Parquet names it, for messages: e.g. <c>parquet INT64 TIMESTAMP(MICROS, UTC)</c>.</summary>
    public static string Describe(DataField field)
    {
        var element = field.SchemaElement;
        var physical = element?.Type?.ToString() ?? field.ClrType.Name;
        var logical = field switch
        {
            DateTimeDataField { DateTimeFormat: DateTimeFormat.Date } => "DATE",
            DateTimeDataField { DateTimeFormat: DateTimeFormat.Impala } => "INT96 timestamp",
            DateTimeDataField d => $"TIMESTAMP({d.Unit.ToString().ToUpperInvariant()}{(d.IsAdjustedToUTC ? ", UTC" : "")})",
            DecimalDataField d => $"DECIMAL({d.Precision},{d.Scale})",
            _ when element?.LogicalType?.UUID is not null => "UUID",
            _ when element?.ConvertedType is { } converted => converted.ToString(),
            _ => null,
        };
        var optional = field.IsNullable ? "optional" : "required";
        return logical is null ? $"parquet {optional} {physical}" : $"parquet {optional} {physical} {logical}";
    }
}
