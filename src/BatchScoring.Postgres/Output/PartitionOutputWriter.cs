using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using Npgsql;
using NpgsqlTypes;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// Writes one partition's scored rows with binary COPY inside the caller's transaction — the one that
/// also marks the partition succeeded — so readers see all of a partition or none of it. On the direct
/// path (<see cref="OutputWritePath"/>) rows go straight into the output table; otherwise they are staged
/// in a temporary table and merged: upsert tables take them ON CONFLICT of the key. Append tables first
/// drop the rows an earlier attempt of the same run and partition left.
/// </summary>
public sealed class PartitionOutputWriter : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly OutputTableSchema _schema;
    private readonly string? _staging;
    private readonly long _runId;
    private readonly long _partitionId;
    private readonly string _modelVersion;
    private readonly DateTime _scoredAt = DateTime.UtcNow;
    private NpgsqlBinaryImporter? _importer;

    private PartitionOutputWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, OutputTableSchema schema,
        string? staging, long runId, long partitionId, string modelVersion)
    {
        _connection = connection;
        _transaction = transaction;
        _schema = schema;
        _staging = staging;
        _runId = runId;
        _partitionId = partitionId;
        _modelVersion = modelVersion;
    }

    /// <param name="direct">COPY straight into the output table (see <see cref="OutputWritePath"/>) instead of staging and merging.</param>
    public static async Task<PartitionOutputWriter> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        OutputTableSchema schema, long runId, long partitionId, string modelVersion, bool direct, CancellationToken cancellationToken)
    {
        string? staging = null;
        if (schema.Mode == OutputMode.Append)
        {
            await using var delete = new NpgsqlCommand(
                $"DELETE FROM {schema.Table.Quoted} WHERE run_id = $1 AND partition_id = $2", connection, transaction)
            {
                Parameters = { new() { Value = runId }, new() { Value = partitionId } },
            };
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        if (!direct)
        {
            staging = SqlIdentifier.Quote("stage_" + schema.Table.Name);
            await using var create = new NpgsqlCommand(
                $"CREATE TEMP TABLE {staging} (LIKE {schema.Table.Quoted}) ON COMMIT DROP", connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var writer = new PartitionOutputWriter(connection, transaction, schema, staging, runId, partitionId, modelVersion);
        writer._importer = await connection.BeginBinaryImportAsync(
            $"COPY {staging ?? schema.Table.Quoted} ({BinaryCopyWriter.ColumnList(schema.AllColumns)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        return writer;
    }

    public async Task WriteAsync(ScoredBatch batch, CancellationToken cancellationToken)
    {
        var importer = _importer ?? throw new InvalidOperationException("The writer was already completed.");
        var sourceValues = new BinaryCopyWriter(_schema.SourceColumns.Select(c => batch.Input[c.Name]));
        var scores = new BinaryCopyWriter(_schema.ScoreColumns.Select(s => batch.Outputs[s.Name]));
        for (var row = 0; row < batch.Count; row++)
        {
            await importer.StartRowAsync(cancellationToken);
            sourceValues.WriteValues(importer, row);
            scores.WriteValues(importer, row);
            importer.Write(_modelVersion, NpgsqlDbType.Text);
            importer.Write(_runId, NpgsqlDbType.Bigint);
            importer.Write(_partitionId, NpgsqlDbType.Bigint);
            importer.Write(_scoredAt, NpgsqlDbType.TimestampTz);
        }
    }

    /// <summary>Finishes the COPY and, when staging, merges the staged rows into the output table; returns how many rows were written.</summary>
    /// <exception cref="OutputKeyConflictException">A direct COPY into an upsert table met a key that already exists.</exception>
    public async Task<long> CompleteAsync(CancellationToken cancellationToken)
    {
        var importer = _importer ?? throw new InvalidOperationException("The writer was already completed.");
        _importer = null;
        ulong copied;
        try
        {
            copied = await importer.CompleteAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && _staging is null)
        {
            throw new OutputKeyConflictException(_schema.Table.ToString(), e);
        }
        finally
        {
            await importer.DisposeAsync();
        }
        return _staging is null ? (long)copied : await MergeAsync(_staging, cancellationToken);
    }

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
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CardinalityViolation)
        {
            throw new BatchScoringException(
                $"The source has more than one row for the same key ({keys}) in one partition; the key columns must identify a row, or use output mode append.", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_importer is null)
            return;
        try
        {
            await _importer.DisposeAsync();
        }
        catch (NpgsqlException)
        {
            // Cancelling an unfinished COPY on a broken connection fails too; the caller's rollback is what matters.
        }
    }
}
