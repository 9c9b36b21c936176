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
            BatchColumn<short> c when type == typeof(sbyte) => ReadAsync<int, short>(group, StandIn(field, typeof(int)), c, v => (sbyte)v, cancellationToken),
            BatchColumn<short> c when type == typeof(byte) => ReadAsync<int, short>(group, StandIn(field, typeof(int)), c, v => (byte)v, cancellationToken),
            BatchColumn<short> c => ReadAsync<int, short>(group, StandIn(field, typeof(int)), c, v => (short)v, cancellationToken),
            BatchColumn<int> c when type == typeof(ushort) => ReadAsync<int, int>(group, StandIn(field, typeof(int)), c, v => (ushort)v, cancellationToken),
            BatchColumn<int> c => ReadAsync<int, int>(group, field, c, v => v, cancellationToken),
            BatchColumn<long> c when type == typeof(uint) => ReadAsync<int, long>(group, StandIn(field, typeof(int)), c, v => (uint)v, cancellationToken),
            BatchColumn<long> c => ReadAsync<long, long>(group, field, c, v => v, cancellationToken),
            BatchColumn<decimal> c when type == typeof(ulong) => ReadAsync<long, decimal>(group, StandIn(field, typeof(long)), c, v => (ulong)v, cancellationToken),
            BatchColumn<decimal> c when field is DecimalDataField d && PhysicalInteger(d) is { } physical
                => physical == typeof(int)
                    ? ReadAsync<int, decimal>(group, Unscaled(d, physical), c, v => Scaled(v, d.Scale), cancellationToken)
                    : ReadAsync<long, decimal>(group, Unscaled(d, physical), c, v => Scaled(v, d.Scale), cancellationToken),
            BatchColumn<decimal> c => ReadAsync<decimal, decimal>(group, field, c, v => v, cancellationToken),
            BatchColumn<float> c => ReadAsync<float, float>(group, field, c, v => v, cancellationToken),
            BatchColumn<double> c => ReadAsync<double, double>(group, field, c, v => v, cancellationToken),
            BatchColumn<Guid> c => ReadAsync<Guid, Guid>(group, field, c, v => v, cancellationToken),
            BatchColumn<DateOnly> c when field.SchemaElement?.Type == global::Parquet.Meta.Type.INT32
                => ReadAsync<int, DateOnly>(group, StandIn(field, typeof(int)), c, days => UnixEpochDay.AddDays(days), cancellationToken),
            BatchColumn<DateOnly> c when type == typeof(DateTime) => ReadAsync<DateTime, DateOnly>(group, field, c, DateOnly.FromDateTime, cancellationToken),
            BatchColumn<DateOnly> c => ReadAsync<DateOnly, DateOnly>(group, field, c, v => v, cancellationToken),
            BatchColumn<DateTime> c when field is DateTimeDataField d && TicksPerUnit(d) is { } unit
                => ReadAsync<long, DateTime>(group, StandIn(field, typeof(long)), c, FromUnits(unit, target.Kind), cancellationToken),
            BatchColumn<DateTime> c => ReadAsync<DateTime, DateTime>(group, field, c, v => DateTime.SpecifyKind(v, Kind(target.Kind)), cancellationToken),
            _ => throw new NotSupportedException($"Column {target.Name}: {target.Kind} cannot be read from Parquet."),
        };
        await task;
        return column;
    }

    private static async Task ReadAsync<TIn, TOut>(
        ParquetRowGroupReader group, DataField field, BatchColumn<TOut> column, Func<TIn, TOut> convert, CancellationToken cancellationToken)
        where TIn : struct
    {
        if (!field.IsNullable)
        {
            // Required columns go through the non-nullable overload: the nullable one misreads them.
            var values = new TIn[column.Capacity];
            await group.ReadAsync<TIn>(field, values.AsMemory(), null, cancellationToken);
            for (var row = 0; row < values.Length; row++)
                column.Set(row, convert(values[row]));
            return;
        }
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

    /// <summary>The CLR type of a decimal stored as a scaled INT32/INT64, which is read as that integer and scaled here.</summary>
    private static Type? PhysicalInteger(DecimalDataField field) => field.SchemaElement?.Type switch
    {
        global::Parquet.Meta.Type.INT32 => typeof(int),
        global::Parquet.Meta.Type.INT64 => typeof(long),
        _ => null,
    };

    private static readonly DateOnly UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch);

    private static DataField Unscaled(DecimalDataField field, Type physical) => StandIn(field, physical);

    // Parquet.Net cannot decode small and unsigned integers, decimals, dates and timestamps from DELTA_BINARY_PACKED
    // pages (Parquet v2 writers use them), but it decodes the same pages as plain INT32/INT64: read the physical
    // integers through a stand-in field and convert them here.
    private static DataField StandIn(DataField field, Type physical)
    {
        var standIn = new DataField(field.Name, physical, field.IsNullable);
        _ = new ParquetSchema(standIn);
        return standIn;
    }

    /// <summary>Ticks per stored unit (negative: stored units per tick, i.e. nanoseconds) of an INT64 timestamp, or null for INT96.</summary>
    private static long? TicksPerUnit(DateTimeDataField field)
    {
        if (field.SchemaElement?.Type != global::Parquet.Meta.Type.INT64)
            return null;
        return field.DateTimeFormat switch
        {
            DateTimeFormat.DateAndTime => TimeSpan.TicksPerMillisecond,
            DateTimeFormat.DateAndTimeMicros => TimeSpan.TicksPerMicrosecond,
            DateTimeFormat.Timestamp => field.Unit switch
            {
                DateTimeTimeUnit.Millis => TimeSpan.TicksPerMillisecond,
                DateTimeTimeUnit.Micros => TimeSpan.TicksPerMicrosecond,
                DateTimeTimeUnit.Nanos => -100,
                _ => null,
            },
            _ => null,
        };
    }

    private static Func<long, DateTime> FromUnits(long ticksPerUnit, ColumnKind kind)
    {
        var dateTimeKind = Kind(kind);
        return ticksPerUnit > 0
            ? units => new DateTime(DateTime.UnixEpoch.Ticks + units * ticksPerUnit, dateTimeKind)
            : nanos => new DateTime(DateTime.UnixEpoch.Ticks + FloorDivide(nanos, -ticksPerUnit), dateTimeKind);
    }

    private static long FloorDivide(long value, long divisor)
    {
        var (quotient, remainder) = Math.DivRem(value, divisor);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    private static DateTimeKind Kind(ColumnKind kind) => kind == ColumnKind.TimestampTz ? DateTimeKind.Utc : DateTimeKind.Unspecified;

    private static decimal Scaled(long unscaled, int scale)
    {
        var negative = unscaled < 0;
        var magnitude = negative ? (ulong)-(unscaled + 1) + 1 : (ulong)unscaled;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, negative, (byte)scale);
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
