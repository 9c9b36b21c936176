using System.Globalization;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using BatchScoring.Postgres.Output;
using Npgsql;

namespace BatchScoring.Postgres.Sinks;

/// <summary>
/// Writes one partition's scored rows into a table with binary COPY inside the partition's transaction — the one
/// that also marks the partition succeeded — so readers see all of a partition or none of it. On the direct
/// path (<see cref="OutputWrite"/>) rows go straight into the table; on the replace path the rows the job wrote
/// in the partition's key range and time slice are deleted first; otherwise rows are staged in a temporary table
/// and merged: upsert tables take them ON CONFLICT of the key. Append tables first drop the rows an earlier
/// attempt of the same run and partition left. A table partitioned by run gets the rows in the run's own partition,
/// which an earlier attempt of the partition cannot have written to: its transaction rolled back.
/// </summary>
internal sealed class TableSinkWriter : IPartitionSinkWriter
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly OutputTableSchema _schema;
    private readonly string? _staging;
    private readonly byte[] _lineage;
    private readonly long _runId;
    private readonly SinkPartition _partition;
    private ICopyImport? _import;
    private SpooledCopyImport? _passed;
    private FingerprintKeeping? _keeping;
    private long _rows;
    private long _passedRows;

    private TableSinkWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, OutputTableSchema schema,
        string? staging, SinkPartition partition)
    {
        _connection = connection;
        _transaction = transaction;
        _schema = schema;
        _staging = staging;
        _lineage = EncodeLineage(partition, DateTime.UtcNow);
        _runId = partition.RunId;
        _partition = partition;
    }

    /// <summary>The lineage columns (binary COPY values), the same on every row of a partition: encoded once.</summary>
    public static byte[] EncodeLineage(SinkPartition partition, DateTime scoredAt)
    {
        var buffer = new BinaryCopyBuffer();
        buffer.WriteText(partition.ModelVersion);
        buffer.WriteInt64Value(partition.RunId);
        buffer.WriteInt64Value(partition.PartitionId);
        buffer.WriteTimestamp(scoredAt, withTimeZone: true);
        buffer.WriteText(partition.JobName);
        if (partition.Bounds.WindowStart is { } windowStart)
            buffer.WriteTimestamp(DateTime.SpecifyKind(windowStart, DateTimeKind.Utc), withTimeZone: true);
        else
            buffer.WriteNull();
        return buffer.ToArray();
    }

    /// <param name="write">COPY straight into the table, after deleting the partition's rows, or staged and merged (see <see cref="OutputWritePath"/>).</param>
    /// <param name="spooled">Hold the rows in a temporary file and COPY them at <see cref="CompleteAsync"/>, leaving the connection free for another COPY meanwhile.</param>
    /// <param name="removesPassedKeys">
    /// <c>output.skip_unchanged</c> with <c>replace: partition</c>: the keys <see cref="WritePassedAsync"/> receives are
    /// deleted (this job's rows of the partition's time slice) before the merge, so keys that left the source leave.
    /// </param>
    /// <param name="keeping">Keep the fingerprints of the rows the partition leaves in the table (<see cref="KeptFingerprints"/>).</param>
    public static async Task<TableSinkWriter> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        OutputTableSchema schema, SinkPartition partition, OutputWrite write, bool spooled, CancellationToken cancellationToken,
        bool removesPassedKeys = false, FingerprintKeeping? keeping = null)
    {
        if (keeping is not null)
            await KeptFingerprints.MarkAsync(connection, transaction, cancellationToken);
        if (write == OutputWrite.Replace)
            await DeleteReplacedAsync(connection, transaction, schema, partition, cancellationToken);
        string? staging = null;
        if (schema.Mode == OutputMode.Append)
        {
            await using var delete = new NpgsqlCommand(
                $"DELETE FROM {schema.Table.Quoted} WHERE run_id = $1 AND partition_id = $2", connection, transaction)
            {
                Parameters = { new() { Value = partition.RunId }, new() { Value = partition.PartitionId } },
            };
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        if (write == OutputWrite.Merge)
        {
            // Qualified by the schema too: the output and the shadow table may share a name in two schemas.
            staging = SqlIdentifier.Quote("stage_" + (schema.Table.Schema is { } s ? s + "_" : "") + schema.Table.Name);
            await using var create = new NpgsqlCommand(
                $"CREATE TEMP TABLE {staging} (LIKE {schema.Table.Quoted}) ON COMMIT DROP", connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var writer = new TableSinkWriter(connection, transaction, schema, staging, partition) { _keeping = keeping };
        if (removesPassedKeys)
        {
            var passed = PassedTable(schema);
            await using var create = new NpgsqlCommand($"CREATE TEMP TABLE {passed} (key bigint NOT NULL) ON COMMIT DROP", connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken);
            writer._passed = new SpooledCopyImport(connection, passed, ["key"]);
        }
        var target = staging ?? (write == OutputWrite.Run ? schema.RunPartition(partition.RunId) : schema.Table).Quoted;
        var columns = schema.AllColumns.Select(c => c.Name).ToArray();
        writer._import = spooled
            ? new SpooledCopyImport(connection, target, columns)
            : await BinaryCopyImport.BeginAsync(connection, target, columns, cancellationToken);
        return writer;
    }

    /// <summary>
    /// The replace path's delete: the rows this job wrote in the partition's key range (all keys without one) and time
    /// slice (<c>window_start IS NULL</c> outside one). Rows of another job, or written before <c>job_name</c> existed,
    /// stay; should one hold a key of the partition, the COPY meets it and the partition is merged instead.
    /// </summary>
    private static async Task DeleteReplacedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        OutputTableSchema schema, SinkPartition partition, CancellationToken cancellationToken)
    {
        await using var delete = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var conditions = new List<string>();
        void Add(string condition, object value)
        {
            delete.Parameters.Add(new NpgsqlParameter { Value = value });
            conditions.Add(condition.Replace("$", "$" + delete.Parameters.Count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        Add("job_name = $", partition.JobName);
        if (partition.Bounds.WindowStart is { } windowStart)
            Add("window_start = $", DateTime.SpecifyKind(windowStart, DateTimeKind.Utc));
        else
            conditions.Add("window_start IS NULL");
        if (partition.Bounds.IsKeyRange)
        {
            var key = SqlIdentifier.Quote(schema.KeyColumns.Single().Name);
            if (partition.Bounds.KeyFrom is { } from)
                Add($"{key} >= $", from);
            if (partition.Bounds.KeyTo is { } to)
                Add($"{key} < $", to);
        }
        delete.CommandText = $"DELETE FROM {schema.Table.Quoted} WHERE {string.Join(" AND ", conditions)}";
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task WriteAsync(ScoredBatch batch, CancellationToken cancellationToken)
    {
        var import = _import ?? throw new InvalidOperationException("The writer was already completed.");
        var buffer = import.Buffer;
        var sourceValues = new BinaryCopyWriter(_schema.SourceColumns.Select(c => batch.Input[c.Name]));
        var scores = new BinaryCopyWriter(_schema.ScoreColumns.Select(s => batch.Outputs[s.Name]));
        var fields = _schema.AllColumns.Count;
        for (var row = 0; row < batch.Count; row++)
        {
            buffer.StartRow(fields);
            sourceValues.WriteValues(buffer, row);
            scores.WriteValues(buffer, row);
            buffer.WriteRaw(_lineage);
            if (batch.Fingerprints is { } fingerprints)
                buffer.WriteInt64Value(fingerprints[row]);
            else
                buffer.WriteNull();
        }
        _rows += batch.Count;
        if (_keeping is not null && batch.Fingerprints is { } written)
            _keeping.Written.Add(batch.Input[_schema.KeyColumns.Single().Name], written.AsSpan(0, batch.Count));
        await import.FlushAsync(cancellationToken);
    }

    private static string PassedTable(OutputTableSchema schema)
        => SqlIdentifier.Quote("passed_" + (schema.Table.Schema is { } s ? s + "_" : "") + schema.Table.Name);

    /// <summary>Stored keys the skip-unchanged merge passed over without a source row (see <c>removesPassedKeys</c> of <see cref="BeginAsync"/>).</summary>
    public async Task WritePassedAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken)
    {
        if (_passed is not { } passed || keys.Count == 0)
            return;
        foreach (var key in keys)
        {
            passed.Buffer.StartRow(1);
            passed.Buffer.WriteInt64Value(key);
        }
        _passedRows += keys.Count;
        await passed.FlushAsync(cancellationToken);
    }

    /// <summary>Finishes the COPY and, when staging, merges the staged rows into the output table; returns how many rows were written.</summary>
    /// <exception cref="OutputKeyConflictException">A direct COPY into an upsert table met a key that already exists.</exception>
    public async Task<long> CompleteAsync(CancellationToken cancellationToken)
    {
        var import = _import ?? throw new InvalidOperationException("The writer was already completed.");
        _import = null;
        await using (import)
        {
            try
            {
                await import.CompleteAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && (_schema.Mode == OutputMode.Append || _schema.ByRun))
            {
                throw DuplicateKeyInRun(e);
            }
            // Replacing partitions that meet each other's keys (a key that moved between time slices) may also deadlock.
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected && _staging is null)
            {
                throw new OutputKeyConflictException(_schema.Table.ToString(), e);
            }
        }
        if (_passed is { } passedKeys)
        {
            _passed = null;
            await using (passedKeys)
                await passedKeys.CompleteAsync(cancellationToken);
            await DeletePassedAsync(cancellationToken);
        }
        var written = _staging is null ? _rows : await MergeAsync(_staging, cancellationToken);
        if (_keeping is not null)
            await KeptFingerprints.ReplaceAsync(_connection, _transaction, _schema, _partition, _keeping, changedRows: _rows > 0 || _passedRows > 0, cancellationToken);
        return written;
    }

    /// <summary>Deletes this job's rows of the passed keys in the partition's time slice; a passed key the source still has is in the staged rows, and the merge writes it again.</summary>
    private async Task DeletePassedAsync(CancellationToken cancellationToken)
    {
        var key = SqlIdentifier.Quote(_schema.KeyColumns.Single().Name);
        await using var delete = new NpgsqlCommand
        {
            Connection = _connection,
            Transaction = _transaction,
            CommandText = $"DELETE FROM {_schema.Table.Quoted} o USING {PassedTable(_schema)} p WHERE o.{key} = p.key AND o.job_name = $1 AND "
                + (_partition.Bounds.WindowStart is null ? "o.window_start IS NULL" : "o.window_start = $2"),
            Parameters = { new() { Value = _partition.JobName } },
        };
        if (_partition.Bounds.WindowStart is { } windowStart)
            delete.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(windowStart, DateTimeKind.Utc) });
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    Task IPartitionSinkWriter.CompleteAsync(CancellationToken cancellationToken) => CompleteAsync(cancellationToken);

    private async Task<long> MergeAsync(string staging, CancellationToken cancellationToken)
    {
        var all = BinaryCopyWriter.ColumnList(_schema.AllColumns);
        var keys = BinaryCopyWriter.ColumnList(_schema.KeyColumns);
        var sql = _schema.Mode == OutputMode.Upsert
            ? $"""
              INSERT INTO {_schema.Table.Quoted} ({all})
              SELECT {all} FROM {staging}
              ON CONFLICT ({keys}) DO UPDATE SET {string.Join(", ", _schema.AllColumns.Except(_schema.KeyColumns)
                  .Select(c => $"{SqlIdentifier.Quote(c.Name)} = EXCLUDED.{SqlIdentifier.Quote(c.Name)}"))}
              """
            : $"INSERT INTO {_schema.Table.Quoted} ({all}) SELECT {all} FROM {staging}";
        await using var merge = new NpgsqlCommand(sql, _connection, _transaction);
        try
        {
            return await merge.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && _schema.Mode == OutputMode.Append)
        {
            throw DuplicateKeyInRun(e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CardinalityViolation)
        {
            throw new BatchScoringException(
                $"The source has more than one row for the same key ({keys}) in one partition; the key columns must identify a row, or use output mode append.", e);
        }
    }

    /// <summary>
    /// Append mode and a table partitioned by run write a key once per run (<see cref="OutputTableSchema.RunKeyIndex"/>, the
    /// primary key (key…, run_id)); retrying cannot help, so the error is permanent.
    /// </summary>
    private SchemaMismatchException DuplicateKeyInRun(PostgresException e) => new(
        $"Output table {_schema.Table} ({(_schema.ByRun ? "output.replace: run" : "append")}) would hold a key ({string.Join(", ", _schema.KeyColumns.Select(k => k.Name))}) twice in run {_runId}: "
        + "the source has more than one row for it, in this partition or another of the run. A key is written once per run; "
        + $"make the key columns identify a row, or deduplicate in a source query. ({e.MessageText})");

    public async ValueTask DisposeAsync()
    {
        if (_import is not null)
            await _import.DisposeAsync();
        _import = null;
        if (_passed is not null)
            await _passed.DisposeAsync();
        _passed = null;
    }
}
