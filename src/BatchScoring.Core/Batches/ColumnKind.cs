namespace BatchScoring.Core.Batches;

/// <summary>The logical type of a batch column; each maps to exactly one CLR element type.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The members name the storage types they stand for.")]
public enum ColumnKind
{
    Boolean,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Decimal,
    Text,
    Uuid,
    Date,
    /// <summary>A timestamp without time zone (<see cref="DateTime"/> of kind Unspecified).</summary>
    Timestamp,
    /// <summary>An instant (<see cref="DateTime"/> of kind Utc).</summary>
    TimestampTz,
}

public static class ColumnKindExtensions
{
    public static Type ClrType(this ColumnKind kind) => kind switch
    {
        ColumnKind.Boolean => typeof(bool),
        ColumnKind.Int16 => typeof(short),
        ColumnKind.Int32 => typeof(int),
        ColumnKind.Int64 => typeof(long),
        ColumnKind.Float32 => typeof(float),
        ColumnKind.Float64 => typeof(double),
        ColumnKind.Decimal => typeof(decimal),
        ColumnKind.Text => typeof(string),
        ColumnKind.Uuid => typeof(Guid),
        ColumnKind.Date => typeof(DateOnly),
        ColumnKind.Timestamp or ColumnKind.TimestampTz => typeof(DateTime),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool IsNumeric(this ColumnKind kind) => kind is ColumnKind.Int16 or ColumnKind.Int32
        or ColumnKind.Int64 or ColumnKind.Float32 or ColumnKind.Float64 or ColumnKind.Decimal;
}
