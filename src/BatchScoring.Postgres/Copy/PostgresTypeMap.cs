using BatchScoring.Core.Batches;

namespace BatchScoring.Postgres.Copy;

/// <summary>How each <see cref="ColumnKind"/> is spelled and transferred in PostgreSQL.</summary>
public static class PostgresTypeMap
{
    /// <summary>The kind of a PostgreSQL type (its internal name, e.g. <c>int4</c>), or null when unsupported.</summary>
    public static ColumnKind? KindOf(string internalTypeName) => internalTypeName switch
    {
        "bool" => ColumnKind.Boolean,
        "int2" => ColumnKind.Int16,
        "int4" => ColumnKind.Int32,
        "int8" => ColumnKind.Int64,
        "float4" => ColumnKind.Float32,
        "float8" => ColumnKind.Float64,
        "numeric" => ColumnKind.Decimal,
        "text" or "varchar" or "bpchar" => ColumnKind.Text,
        "uuid" => ColumnKind.Uuid,
        "date" => ColumnKind.Date,
        "timestamp" => ColumnKind.Timestamp,
        "timestamptz" => ColumnKind.TimestampTz,
        _ => null,
    };

    /// <summary>The type used when we create a column of this kind.</summary>
    public static string SqlType(ColumnKind kind) => kind switch
    {
        ColumnKind.Boolean => "boolean",
        ColumnKind.Int16 => "smallint",
        ColumnKind.Int32 => "integer",
        ColumnKind.Int64 => "bigint",
        ColumnKind.Float32 => "real",
        ColumnKind.Float64 => "double precision",
        ColumnKind.Decimal => "numeric",
        ColumnKind.Text => "text",
        ColumnKind.Uuid => "uuid",
        ColumnKind.Date => "date",
        ColumnKind.Timestamp => "timestamp without time zone",
        ColumnKind.TimestampTz => "timestamp with time zone",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
