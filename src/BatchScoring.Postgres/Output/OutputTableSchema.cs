using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using Dapper;
using Npgsql;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// The layout of a scored output table: key columns, passthrough columns, the model's output columns,
/// then the <see cref="LineageColumns"/> (<c>model_version</c> … <c>window_start</c>) and the row's
/// <see cref="InputFingerprint"/> (<c>input_fingerprint</c>). Upsert tables
/// have the key as primary key and an index on scored_at (not those of <see cref="SkipUnchanged"/> jobs); append tables are indexed by run and partition
/// (so that a retried partition replaces its own rows) and uniquely by key and run (<see cref="RunKeyIndex"/>). Both get the view
/// <c>&lt;table&gt;_latest</c> with the newest row per key. An upsert table with <c>output.replace: run</c> is partitioned
/// by run (<c>LIST (run_id)</c>, primary key (key…, run_id)): each run writes a partition of its own,
/// <see cref="RunPartition"/> (see <see cref="OutputTables"/>).
/// </summary>
public sealed class OutputTableSchema
{
    private const string LatestSuffix = "_latest";
    private const int SkipUnchangedFillFactor = 90;

    public OutputTableSchema(
        SqlIdentifier table,
        OutputMode mode,
        IReadOnlyList<ColumnSchema> keyColumns,
        IReadOnlyList<ColumnSchema> passthroughColumns,
        IReadOnlyList<ColumnSchema> scoreColumns,
        bool byRun = false,
        bool skipUnchanged = false)
    {
        if (table.Name.Length > 63 - LatestSuffix.Length)
            throw new SchemaMismatchException($"Output table name '{table.Name}' is too long: its view {table.Name}{LatestSuffix} must fit PostgreSQL's 63 characters.");
        if (byRun && table.Name.Length > RunPartitions.MaxTableName)
            throw new SchemaMismatchException(
                $"Output table name '{table.Name}' is too long for output.replace: run: its run partitions {table.Name}_r<run id> must fit PostgreSQL's 63 characters, so the name may have at most {RunPartitions.MaxTableName}.");
        Table = table;
        Mode = mode;
        ByRun = byRun;
        SkipUnchanged = skipUnchanged;
        KeyColumns = keyColumns;
        PassthroughColumns = passthroughColumns.Where(p => keyColumns.All(k => k.Name != p.Name)).ToArray();
        ScoreColumns = scoreColumns;
        AllColumns = [.. KeyColumns, .. PassthroughColumns, .. scoreColumns, .. LineageColumns.All, InputFingerprint.Column];
        var clash = AllColumns.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new SchemaMismatchException($"Output table {table}: column '{clash.Key}' would appear twice (a passthrough or key column has the name of a score or lineage column).");
    }

    public SqlIdentifier Table { get; }
    public OutputMode Mode { get; }
    /// <summary>Partitioned by run (<c>output.replace: run</c>).</summary>
    public bool ByRun { get; }
    /// <summary>
    /// Written by a job with <c>output.skip_unchanged</c>: a re-run rewrites the changed rows in place, so the table is
    /// created with room on each page and without the <c>scored_at</c> index, which makes each rewrite a HOT update.
    /// </summary>
    public bool SkipUnchanged { get; }
    public IReadOnlyList<ColumnSchema> KeyColumns { get; }
    public IReadOnlyList<ColumnSchema> PassthroughColumns { get; }
    public IReadOnlyList<ColumnSchema> ScoreColumns { get; }
    public IReadOnlyList<ColumnSchema> AllColumns { get; }

    /// <summary>The columns added after output tables were first created; an older table gets them (nullable) on first use.</summary>
    private static readonly IReadOnlyList<ColumnSchema> AddedColumns = [.. LineageColumns.Added, InputFingerprint.Column];

    /// <summary>The view <c>&lt;table&gt;_latest</c>: the newest row per key (by scored_at, then run_id).</summary>
    public SqlIdentifier LatestView => SqlIdentifier.Parse(
        (Table.Schema is null ? "" : Table.Schema + ".") + Table.Name + LatestSuffix, "output view name");

    /// <summary>
    /// The unique index on (key…, run_id) of an append table: one run writes a key at most once — a source with duplicate
    /// keys is refused — and the index stands in for the key's own index, so the direct COPY maintains no more indexes.
    /// </summary>
    public string RunKeyIndex => SqlIdentifier.Quote(Table.Name + "_run_key");

    /// <summary>The partition of a table partitioned by run (<see cref="ByRun"/>) that holds the rows of <paramref name="runId"/>.</summary>
    public SqlIdentifier RunPartition(long runId) => RunPartitions.Name(Table, runId);

    /// <summary>The columns a source batch supplies (keys and passthrough).</summary>
    public IEnumerable<ColumnSchema> SourceColumns => KeyColumns.Concat(PassthroughColumns);

    /// <summary>
    /// The key columns (the output's, else the source's) and passthrough columns of a job's output, looked up in the
    /// source's columns; unknown names are refused, naming the job and column. Also what a Parquet-only output writes.
    /// </summary>
    public static (IReadOnlyList<ColumnSchema> Keys, IReadOnlyList<ColumnSchema> Passthrough) ResolveColumns(JobSpec job, IReadOnlyList<ColumnSchema> sourceColumns)
    {
        ColumnSchema Find(string name, string role) => sourceColumns.FirstOrDefault(c => c.Name == name)
            ?? throw new SchemaMismatchException(
                $"Job '{job.Name}': {role} column '{name}' is not a column of source {job.Source} (columns: {string.Join(", ", sourceColumns.Select(c => c.Name))}).");
        var keys = (job.Output.KeyColumns ?? job.Source.KeyColumns).Select(k => Find(k, "key")).ToArray();
        if (keys.Length == 0)
            throw new SchemaMismatchException($"Job '{job.Name}': the output {job.Output.Destination} needs key columns (source key_columns or output key_columns).");
        var passthrough = job.Output.Passthrough.Select(p => Find(p, "passthrough")).Where(p => keys.All(k => k.Name != p.Name)).ToArray();
        return (keys, passthrough);
    }

    /// <summary>The output table of a job that writes one (<c>output.table</c>); the columns are those of <see cref="ResolveColumns"/>.</summary>
    public static OutputTableSchema ForJob(JobSpec job, SqlIdentifier table, IReadOnlyList<ColumnSchema> sourceColumns, IReadOnlyList<ColumnSchema> scoreColumns)
    {
        var (keys, passthrough) = ResolveColumns(job, sourceColumns);
        return new OutputTableSchema(table, job.Output.Mode, keys, passthrough, scoreColumns,
            byRun: job.Output is { Mode: OutputMode.Upsert, Replace: OutputReplace.Run }, skipUnchanged: job.Output.SkipUnchanged);
    }

    /// <summary>
    /// Checks, reading only, that an existing table fits the job: its columns and, for upsert, a unique key. A missing
    /// table passes; <see cref="EnsureAsync"/> creates it when the run starts.
    /// </summary>
    public Task CheckAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) => DatabaseCalls.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var existing = await ExistingColumnsAsync(connection, null, cancellationToken);
        if (existing.Count == 0)
            return;
        await CheckLayoutAsync(connection, null, cancellationToken);
        Check(existing);
        if (Mode == OutputMode.Upsert)
            await CheckUniqueKeyAsync(connection, null, cancellationToken);
    });

    /// <summary>
    /// Creates the table (with its analyst index and <c>_latest</c> view) when missing, or checks that the existing
    /// one fits and adds the view if it lacks it; serialised across workers by an advisory lock. Returns how a run
    /// writes it: directly for append tables and for upsert tables that hold no row yet (see <see cref="OutputWritePath"/>).
    /// </summary>
    public Task<OutputWritePath> EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) => DatabaseCalls.RunAsync<OutputWritePath>(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtext(@name))", new { name = "output:" + Table }, transaction, cancellationToken: cancellationToken));
        var existing = await ExistingColumnsAsync(connection, transaction, cancellationToken);

        if (existing.Count == 0)
            await connection.ExecuteAsync(new CommandDefinition(CreateSql(), transaction: transaction, cancellationToken: cancellationToken));
        else
        {
            await CheckLayoutAsync(connection, transaction, cancellationToken);
            var added = Check(existing);
            if (Mode == OutputMode.Upsert)
                await CheckUniqueKeyAsync(connection, transaction, cancellationToken);
            else
                await EnsureRunKeyIndexAsync(connection, transaction, cancellationToken);
            if (added.Count > 0)
                await connection.ExecuteAsync(new CommandDefinition(AddLineageSql(added), transaction: transaction, cancellationToken: cancellationToken));
            var view = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT to_regclass(@view)::text", new { view = LatestView.Quoted }, transaction, cancellationToken: cancellationToken));
            if (view is null)
                await connection.ExecuteAsync(new CommandDefinition(ViewSql(), transaction: transaction, cancellationToken: cancellationToken));
            else if (added.Count > 0)
                await connection.ExecuteAsync(new CommandDefinition(ViewSql(replace: true) + "\n" + ViewCommentSql(added), transaction: transaction, cancellationToken: cancellationToken));
        }
        if (ByRun)
        {
            await transaction.CommitAsync(cancellationToken);
            return OutputWritePath.ByRun();
        }
        var direct = Mode == OutputMode.Append || existing.Count == 0 || !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT EXISTS (SELECT 1 FROM {Table.Quoted})", transaction: transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new OutputWritePath(direct);
    });

    private async Task<Dictionary<string, ExistingColumn>> ExistingColumnsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
        => (await connection.QueryAsync<ExistingColumn>(new CommandDefinition(
            """
            SELECT a.attname AS Name, t.typname AS Type, a.attnotnull AS NotNull, a.atthasdef AS HasDefault
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = to_regclass(@table) AND a.attnum > 0 AND NOT a.attisdropped
            """, new { table = Table.Quoted }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(c => c.Name, StringComparer.Ordinal);

    private sealed record ExistingColumn(string Name, string Type, bool NotNull, bool HasDefault);

    /// <summary>Checks an existing table's columns; returns the <see cref="AddedColumns"/> it lacks, which the run adds.</summary>
    private List<ColumnSchema> Check(Dictionary<string, ExistingColumn> existing)
    {
        var added = new List<ColumnSchema>();
        foreach (var column in AllColumns)
        {
            if (!existing.TryGetValue(column.Name, out var found) && AddedColumns.Contains(column))
            {
                added.Add(column);
                continue;
            }
            if (found is null)
                throw new SchemaMismatchException($"Output table {Table} exists but has no column '{column.Name}' ({PostgresTypeMap.SqlType(column.Kind)}); add it or choose another output table.");
            if (PostgresTypeMap.KindOf(found.Type) != column.Kind)
                throw new SchemaMismatchException(
                    $"Output table {Table} column '{column.Name}' is {found.Type} but the job writes {PostgresTypeMap.SqlType(column.Kind)}.");
        }
        var blocking = existing.Values.FirstOrDefault(c => c.NotNull && !c.HasDefault && AllColumns.All(a => a.Name != c.Name));
        if (blocking is not null)
            throw new SchemaMismatchException(
                $"Output table {Table} column '{blocking.Name}' is NOT NULL without a default, but the job does not write it.");
        return added;
    }

    /// <summary>
    /// Adds lineage and fingerprint columns to a table created before they existed: nullable, without a default, so PostgreSQL changes
    /// only its catalogue (no rewrite); the rows already there hold null in them until they are scored again.
    /// </summary>
    private string AddLineageSql(IReadOnlyList<ColumnSchema> added)
        => string.Join("\n", added.Select(c =>
            $"ALTER TABLE {Table.Quoted} ADD COLUMN IF NOT EXISTS {SqlIdentifier.Quote(c.Name)} {PostgresTypeMap.SqlType(c.Kind)};\n"
            + $"COMMENT ON COLUMN {Table.Quoted}.{SqlIdentifier.Quote(c.Name)} IS {Literal(Describe(c))};"));

    private string ViewCommentSql(IEnumerable<ColumnSchema> columns)
        => string.Join("\n", columns.Select(c => $"COMMENT ON COLUMN {LatestView.Quoted}.{SqlIdentifier.Quote(c.Name)} IS {Literal(Describe(c))};"));

    /// <summary>Refuses a table partitioned by run for a job that does not write by run, and the other way round.</summary>
    private async Task CheckLayoutAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var partitioned = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(@table))", new { table = Table.Quoted }, transaction, cancellationToken: cancellationToken));
        if (ByRun && !partitioned)
            throw new SchemaMismatchException(
                $"Output table {Table} exists as one table, but output.replace: run writes a table partitioned by run that it creates itself; choose a new output table, or keep output.replace: partition.");
        if (!ByRun && partitioned)
            throw new SchemaMismatchException(
                $"Output table {Table} is partitioned by run (it was created for output.replace: run); set output.replace: run, or choose another output table.");
    }

    private async Task CheckUniqueKeyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var uniqueKeys = await connection.QueryAsync<string[]>(new CommandDefinition(
            """
            SELECT array_agg(a.attname::text ORDER BY a.attname)
            FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = to_regclass(@table) AND i.indisunique AND i.indpred IS NULL
            GROUP BY i.indexrelid
            """, new { table = Table.Quoted }, transaction, cancellationToken: cancellationToken));
        var wanted = KeyColumns.Select(k => k.Name).Concat(ByRun ? ["run_id"] : []).Order(StringComparer.Ordinal).ToArray();
        if (!uniqueKeys.Any(u => u.Order(StringComparer.Ordinal).SequenceEqual(wanted)))
            throw new SchemaMismatchException(
                $"Output table {Table} has no primary key or unique index on ({string.Join(", ", wanted)}); upsert mode needs one (or use output mode append).");
    }

    /// <summary>Adds <see cref="RunKeyIndex"/> to an append table created before it existed.</summary>
    private async Task EnsureRunKeyIndexAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(RunKeyIndexSql(), transaction: transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new SchemaMismatchException(
                $"Output table {Table} already holds a key ({string.Join(", ", KeyColumns.Select(k => k.Name))}) more than once within one run, so its unique index {RunKeyIndex} on (key, run_id) cannot be created; remove the duplicate rows or choose another output table.");
        }
    }

    private string RunKeyIndexSql()
        => $"CREATE UNIQUE INDEX IF NOT EXISTS {RunKeyIndex} ON {Table.Quoted} ({BinaryCopyWriter.ColumnList(KeyColumns)}, run_id);";

    private string CreateSql()
    {
        var required = KeyColumns.Concat(LineageColumns.Required).Select(c => c.Name).ToHashSet();
        var columns = string.Join(",\n    ", AllColumns.Select(c =>
            $"{SqlIdentifier.Quote(c.Name)} {PostgresTypeMap.SqlType(c.Kind)}" + (required.Contains(c.Name) ? " NOT NULL" : "")));
        var schema = Table.Schema is null ? "" : $"CREATE SCHEMA IF NOT EXISTS {SqlIdentifier.Quote(Table.Schema)};\n";
        var keys = BinaryCopyWriter.ColumnList(KeyColumns);
        var table = ByRun
            ? $"""
              {schema}CREATE TABLE {Table.Quoted} (
                  {columns},
                  PRIMARY KEY ({keys}, run_id)
              ) PARTITION BY LIST (run_id);
              CREATE INDEX ON {Table.Quoted} (scored_at);
              """
            : Mode == OutputMode.Upsert && SkipUnchanged
            ? $"""
              {schema}CREATE TABLE {Table.Quoted} (
                  {columns},
                  PRIMARY KEY ({keys})
              ) WITH (fillfactor = {SkipUnchangedFillFactor});
              """
            : Mode == OutputMode.Upsert
            ? $"""
              {schema}CREATE TABLE {Table.Quoted} (
                  {columns},
                  PRIMARY KEY ({keys})
              );
              CREATE INDEX ON {Table.Quoted} (scored_at);
              """
            : $"""
              {schema}CREATE TABLE {Table.Quoted} (
                  {columns}
              );
              CREATE INDEX ON {Table.Quoted} (run_id, partition_id);
              {RunKeyIndexSql()}
              """;
        return table + "\n" + ViewSql() + "\n" + CommentSql() + "\n" + GrantSql();
    }

    /// <summary>
    /// <c>batchscoring_analyst</c> reads every output table, whoever creates it: the migrations' default privileges cover
    /// the tables the worker role creates, and a table created by the owner or a superuser (a first trial, a service run
    /// as the owner) gets its grant here. A schema someone else owns is granted by them (PostgreSQL warns and grants
    /// nothing); without the role (migrations by a role that could not create it) nothing is granted.
    /// </summary>
    private string GrantSql()
    {
        var schema = Table.Schema is null ? "" : $"GRANT USAGE ON SCHEMA {SqlIdentifier.Quote(Table.Schema)} TO batchscoring_analyst; ";
        return $"DO $grant$ BEGIN IF to_regrole('batchscoring_analyst') IS NOT NULL THEN {schema}GRANT SELECT ON {Table.Quoted}, {LatestView.Quoted} TO batchscoring_analyst; END IF; END $grant$;";
    }

    /// <summary>What the table, its view and every column hold, for analysts (<c>\d+</c> in psql).</summary>
    private string CommentSql()
    {
        var mode = ByRun ? "partitioned by run: one partition per run, a succeeded run detaches the earlier runs' partitions"
            : Mode == OutputMode.Upsert ? "one row per key, replaced when scored again" : "one row per key and run";
        var lines = new List<string>
        {
            $"COMMENT ON TABLE {Table.Quoted} IS {Literal($"Scores written by BatchScoring ({mode}); model_version, run_id, partition_id, scored_at, job_name and window_start say which run wrote each row")};",
            $"COMMENT ON VIEW {LatestView.Quoted} IS {Literal($"The newest row per key of {Table}")};",
        };
        foreach (var column in AllColumns)
        {
            var text = Describe(column);
            lines.Add($"COMMENT ON COLUMN {Table.Quoted}.{SqlIdentifier.Quote(column.Name)} IS {Literal(text)};");
            lines.Add($"COMMENT ON COLUMN {LatestView.Quoted}.{SqlIdentifier.Quote(column.Name)} IS {Literal(text)};");
        }
        return string.Join("\n", lines);
    }

    private string Describe(ColumnSchema column)
    {
        if (KeyColumns.Contains(column))
            return "Key column, from the source";
        if (PassthroughColumns.Contains(column))
            return "Copied from the source row unchanged";
        if (ScoreColumns.Contains(column))
            return "Model output";
        return column.Name switch
        {
            "model_version" => "The model version that scored the row (scoring.runs.model_version)",
            "run_id" => "The run that wrote the row (scoring.runs.run_id)",
            "partition_id" => "The partition that wrote the row (scoring.partitions.partition_id)",
            "job_name" => "The job that wrote the row (scoring.runs.job_name); null on rows written before the column existed",
            "window_start" => "Start of the time slice the row was read in (scoring.partitions.window_start); null outside a time slice",
            "input_fingerprint" => "XxHash64 of the model version and the row's model inputs (README: output.skip_unchanged); null on shadow rows and rows written before the column existed",
            _ => "When the row was scored",
        };
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>One row per key: the newest by scored_at (then run_id, for rows scored in the same instant).</summary>
    /// <param name="replace">Redefine an existing view so that its <c>*</c> takes in columns added to the table since.</param>
    private string ViewSql(bool replace = false)
    {
        var keys = BinaryCopyWriter.ColumnList(KeyColumns);
        return $"""
            CREATE {(replace ? "OR REPLACE " : "")}VIEW {LatestView.Quoted} AS
            SELECT DISTINCT ON ({keys}) *
            FROM {Table.Quoted}
            ORDER BY {keys}, scored_at DESC, run_id DESC;
            """;
    }
}
