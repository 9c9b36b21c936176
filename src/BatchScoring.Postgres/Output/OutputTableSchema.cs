using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// The layout of a scored output table: key columns, passthrough columns, the model's output columns,
/// then <c>model_version</c>, <c>run_id</c>, <c>partition_id</c> and <c>scored_at</c>. Upsert tables
/// have the key as primary key; append tables are indexed by run and partition so that a retried
/// partition replaces its own rows.
/// </summary>
public sealed class OutputTableSchema
{
    public static readonly ColumnSchema ModelVersion = new("model_version", ColumnKind.Text);
    public static readonly ColumnSchema RunId = new("run_id", ColumnKind.Int64);
    public static readonly ColumnSchema PartitionId = new("partition_id", ColumnKind.Int64);
    public static readonly ColumnSchema ScoredAt = new("scored_at", ColumnKind.TimestampTz);
    private static readonly ColumnSchema[] LineageColumns = [ModelVersion, RunId, PartitionId, ScoredAt];

    public OutputTableSchema(
        SqlIdentifier table,
        OutputMode mode,
        IReadOnlyList<ColumnSchema> keyColumns,
        IReadOnlyList<ColumnSchema> passthroughColumns,
        IReadOnlyList<ColumnSchema> scoreColumns)
    {
        Table = table;
        Mode = mode;
        KeyColumns = keyColumns;
        PassthroughColumns = passthroughColumns.Where(p => keyColumns.All(k => k.Name != p.Name)).ToArray();
        ScoreColumns = scoreColumns;
        AllColumns = [.. KeyColumns, .. PassthroughColumns, .. scoreColumns, .. LineageColumns];
        var clash = AllColumns.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new SchemaMismatchException($"Output table {table}: column '{clash.Key}' would appear twice (a passthrough or key column has the name of a score or lineage column).");
    }

    public SqlIdentifier Table { get; }
    public OutputMode Mode { get; }
    public IReadOnlyList<ColumnSchema> KeyColumns { get; }
    public IReadOnlyList<ColumnSchema> PassthroughColumns { get; }
    public IReadOnlyList<ColumnSchema> ScoreColumns { get; }
    public IReadOnlyList<ColumnSchema> AllColumns { get; }

    /// <summary>The columns a source batch supplies (keys and passthrough).</summary>
    public IEnumerable<ColumnSchema> SourceColumns => KeyColumns.Concat(PassthroughColumns);

    /// <summary>Creates the table when missing or checks that the existing one fits; serialised across workers by an advisory lock.</summary>
    public async Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtext(@name))", new { name = "output:" + Table }, transaction, cancellationToken: cancellationToken));
        var existing = (await connection.QueryAsync<(string Name, string Type)>(new CommandDefinition(
            """
            SELECT a.attname, t.typname
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = to_regclass(@table) AND a.attnum > 0 AND NOT a.attisdropped
            """, new { table = Table.Quoted }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);

        if (existing.Count == 0)
            await connection.ExecuteAsync(new CommandDefinition(CreateSql(), transaction: transaction, cancellationToken: cancellationToken));
        else
            Check(existing);
        await transaction.CommitAsync(cancellationToken);
    }

    private void Check(Dictionary<string, string> existing)
    {
        foreach (var column in AllColumns)
        {
            if (!existing.TryGetValue(column.Name, out var type))
                throw new SchemaMismatchException($"Output table {Table} exists but has no column '{column.Name}' ({PostgresTypeMap.SqlType(column.Kind)}).");
            if (PostgresTypeMap.KindOf(type) != column.Kind)
                throw new SchemaMismatchException(
                    $"Output table {Table} column '{column.Name}' is {type} but the job writes {PostgresTypeMap.SqlType(column.Kind)}.");
        }
    }

    private string CreateSql()
    {
        var required = KeyColumns.Concat(LineageColumns).Select(c => c.Name).ToHashSet();
        var columns = string.Join(",\n    ", AllColumns.Select(c =>
            $"{SqlIdentifier.Quote(c.Name)} {PostgresTypeMap.SqlType(c.Kind)}" + (required.Contains(c.Name) ? " NOT NULL" : "")));
        var schema = Table.Schema is null ? "" : $"CREATE SCHEMA IF NOT EXISTS {SqlIdentifier.Quote(Table.Schema)};\n";
        var keys = BinaryCopyWriter.ColumnList(KeyColumns);
        return Mode == OutputMode.Upsert
            ? $"""
              {schema}CREATE TABLE {Table.Quoted} (
                  {columns},
                  PRIMARY KEY ({keys})
              );
              """
            : $"""
              {schema}CREATE TABLE {Table.Quoted} (
                  {columns}
              );
              CREATE INDEX ON {Table.Quoted} (run_id, partition_id);
              """;
    }
}
