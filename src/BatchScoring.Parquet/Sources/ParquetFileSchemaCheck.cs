using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Parquet.Schema;
using Parquet.Schema;

namespace BatchScoring.Parquet.Sources;

/// <summary>
/// Checks one file's schema against what the job reads from it, before any row: every column (keys, timestamp,
/// features, passthrough) must be in the file, or a Hive folder value of its path, with the source's type. A file
/// that lacks one would otherwise be scored with nulls in its place.
/// </summary>
internal static class ParquetFileSchemaCheck
{
    /// <param name="timestampColumn">The timestamp column when the partition filters rows by time, else null.</param>
    /// <exception cref="SchemaMismatchException">Names the file and every missing or mistyped column.</exception>
    public static void Verify(ParquetSchema schema, IReadOnlyList<ColumnSchema> columns, IReadOnlyCollection<string> hiveColumns,
        IReadOnlyList<string> keyColumns, string? timestampColumn, string path)
    {
        var fields = schema.DataFields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var column in columns)
        {
            if (hiveColumns.Contains(column.Name) && !fields.ContainsKey(column.Name))
                continue;
            if (!fields.TryGetValue(column.Name, out var field))
                problems.Add($"it lacks {Role(column.Name, keyColumns, timestampColumn)}'{column.Name}'");
            else if (ParquetTypeMap.KindOf(field) != column.Kind)
                problems.Add($"{Role(column.Name, keyColumns, timestampColumn)}'{column.Name}' is {ParquetTypeMap.Describe(field)} here but {column.SourceType ?? column.Kind.ToString()} in the source's schema");
        }
        if (timestampColumn is not null && columns.All(c => c.Name != timestampColumn) && !hiveColumns.Contains(timestampColumn))
        {
            if (!fields.TryGetValue(timestampColumn, out var field))
                problems.Add($"it lacks timestamp column '{timestampColumn}'");
            else if (ParquetTypeMap.KindOf(field) is not (ColumnKind.Timestamp or ColumnKind.TimestampTz or ColumnKind.Date))
                problems.Add($"timestamp column '{timestampColumn}' is {ParquetTypeMap.Describe(field)}, not a timestamp or date");
        }
        if (problems.Count > 0)
            throw new SchemaMismatchException($"Parquet file {path} does not fit the job: {string.Join("; ", problems)}.");
    }

    private static string Role(string column, IReadOnlyList<string> keyColumns, string? timestampColumn)
        => keyColumns.Contains(column) ? "key column " : column == timestampColumn ? "timestamp column " : "column ";
}
