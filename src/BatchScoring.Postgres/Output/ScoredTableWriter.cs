using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using Npgsql;
using NpgsqlTypes;

namespace BatchScoring.Postgres.Output;

/// <summary>
/// Writes scored rows into a staging table with binary COPY and merges them into the output table
/// in one transaction, which the caller commits together with its ledger update: readers see all
/// of the rows or none, and a re-run replaces its earlier rows instead of doubling them.
/// </summary>
public sealed class ScoredTableWriter : IAsyncDisposable
{
    private const string StagingTable = "scoring_stage";

    private readonly OutputTableSchema _schema;
    private readonly long _runId;
    private readonly string _modelVersion;
    private readonly DateTime _scoredAt = DateTime.UtcNow;
    private NpgsqlBinaryImporter? _importer;

    private ScoredTableWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, OutputTableSchema schema, long runId, string modelVersion)
    {
        Connection = connection;
        Transaction = transaction;
        _schema = schema;
        _runId = runId;
        _modelVersion = modelVersion;
    }

    public NpgsqlConnection Connection { get; }
    public NpgsqlTransaction Transaction { get; }

    public static async Task<ScoredTableWriter> BeginAsync(
        NpgsqlDataSource dataSource, OutputTableSchema schema, long runId, string modelVersion, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var writer = new ScoredTableWriter(connection, transaction, schema, runId, modelVersion);
        try
        {
            await schema.EnsureAsync(connection, transaction, cancellationToken);
            await using (var create = new NpgsqlCommand(
                $"CREATE TEMP TABLE {StagingTable} (LIKE {schema.Table.Quoted}) ON COMMIT DROP", connection, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            writer._importer = await connection.BeginBinaryImportAsync(
                $"COPY {StagingTable} ({BinaryCopyWriter.ColumnList(schema.AllColumns)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            return writer;
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    public async Task WriteAsync(ScoredBatch batch, CancellationToken cancellationToken)
    {
        var importer = _importer ?? throw new InvalidOperationException("The writer was already merged.");
        var keys = new BinaryCopyWriter(_schema.KeyColumns.Select(k => batch.Input[k.Name]));
        var scores = new BinaryCopyWriter(_schema.ScoreColumns.Select(s => batch.Outputs[s.Name]));
        for (var row = 0; row < batch.Count; row++)
        {
            await importer.StartRowAsync(cancellationToken);
            keys.WriteValues(importer, row);
            scores.WriteValues(importer, row);
            importer.Write(_modelVersion, NpgsqlDbType.Text);
            importer.Write(_runId, NpgsqlDbType.Bigint);
            importer.Write(_scoredAt, NpgsqlDbType.TimestampTz);
        }
    }

    /// <summary>Finishes the COPY and upserts the staged rows; returns how many rows were merged.</summary>
    public async Task<long> MergeAsync(CancellationToken cancellationToken)
    {
        var importer = _importer ?? throw new InvalidOperationException("The writer was already merged.");
        await importer.CompleteAsync(cancellationToken);
        await importer.DisposeAsync();
        _importer = null;

        var all = BinaryCopyWriter.ColumnList(_schema.AllColumns);
        var keys = BinaryCopyWriter.ColumnList(_schema.KeyColumns);
        var updates = string.Join(", ", _schema.AllColumns.Except(_schema.KeyColumns)
            .Select(c => $"{SqlIdentifier.Quote(c.Name)} = EXCLUDED.{SqlIdentifier.Quote(c.Name)}"));
        await using var merge = new NpgsqlCommand(
            $"""
            INSERT INTO {_schema.Table.Quoted} ({all})
            SELECT {all} FROM {StagingTable}
            ON CONFLICT ({keys}) DO UPDATE SET {updates}
            """, Connection, Transaction);
        try
        {
            return await merge.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CardinalityViolation)
        {
            throw new BatchScoringException(
                $"The source has more than one row for the same key ({keys}); the key columns must identify a row.", e);
        }
    }

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_importer is not null)
        {
            try
            {
                await _importer.DisposeAsync();
            }
            catch (NpgsqlException)
            {
                // Cancelling an unfinished COPY on a broken connection fails too; the rollback below is what matters.
            }
        }
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
