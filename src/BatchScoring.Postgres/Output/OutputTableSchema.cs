using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// The layout of a scored output table: the key columns, the model's output columns, then
/// <c>model_version</c>, <c>run_id</c> and <c>scored_at</c>. Creates the table when missing and
/// refuses an existing one that does not fit, naming the column.
/// </summary>
public sealed class OutputTableSchema(SqlIdentifier table, IReadOnlyList<ColumnSchema> keyColumns, IReadOnlyList<ColumnSchema> scoreColumns)
{
    public static readonly ColumnSchema ModelVersion = new("model_version", ColumnKind.Text);
    public static readonly ColumnSchema RunId = new("run_id", ColumnKind.Int64);
    public static readonly ColumnSchema ScoredAt = new("scored_at", ColumnKind.TimestampTz);

    public SqlIdentifier Table { get; } = table;
    public IReadOnlyList<ColumnSchema> KeyColumns { get; } = keyColumns;
    public IReadOnlyList<ColumnSchema> ScoreColumns { get; } = scoreColumns;
    public IReadOnlyList<ColumnSchema> AllColumns { get; } = [.. keyColumns, .. scoreColumns, ModelVersion, RunId, ScoredAt];

    public async Task EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var existing = (await connection.QueryAsync<(string Name, string Type)>(new CommandDefinition(
            """
            SELECT a.attname, t.typname
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = to_regclass(@table) AND a.attnum > 0 AND NOT a.attisdropped
            """, new { table = Table.Quoted }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);

        if (existing.Count == 0)
        {
            await CreateAsync(connection, transaction, cancellationToken);
            return;
        }
        foreach (var column in AllColumns)
        {
            if (!existing.TryGetValue(column.Name, out var type))
                throw new SchemaMismatchException($"Output table {Table} exists but has no column '{column.Name}' ({PostgresTypeMap.SqlType(column.Kind)}).");
            if (PostgresTypeMap.KindOf(type) != column.Kind)
                throw new SchemaMismatchException(
                    $"Output table {Table} column '{column.Name}' is {type} but the job writes {PostgresTypeMap.SqlType(column.Kind)}.");
        }
    }

    private async Task CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var columns = string.Join(",\n    ", AllColumns.Select(c =>
            $"{SqlIdentifier.Quote(c.Name)} {PostgresTypeMap.SqlType(c.Kind)}" + (KeyColumns.Contains(c) || c.Name is "model_version" or "run_id" or "scored_at" ? " NOT NULL" : "")));
        var schemaSql = Table.Schema is null ? "" : $"CREATE SCHEMA IF NOT EXISTS {SqlIdentifier.Quote(Table.Schema)};\n";
        var sql = $"""
            {schemaSql}CREATE TABLE {Table.Quoted} (
                {columns},
                PRIMARY KEY ({BinaryCopyWriter.ColumnList(KeyColumns)})
            );
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
    }
}
