using System.Runtime.CompilerServices;
using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Copy;
using Npgsql;

namespace BatchScoring.Postgres.Sources;

/// <summary>Streams a table with binary <c>COPY (SELECT …) TO STDOUT</c> into columnar batches.</summary>
public sealed class PostgresTableSource(NpgsqlDataSource dataSource, SqlIdentifier table) : IBatchSource
{
    public async Task<IReadOnlyList<ColumnSchema>> DescribeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT * FROM {table.Quoted} LIMIT 0", connection);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var columns = await reader.GetColumnSchemaAsync(cancellationToken);
            var result = new List<ColumnSchema>(columns.Count);
            foreach (var column in columns.Cast<Npgsql.Schema.NpgsqlDbColumn>())
            {
                var type = column.PostgresType;
                if (type is Npgsql.PostgresTypes.PostgresDomainType domain)
                    type = domain.BaseType;
                if (type is not null && PostgresTypeMap.KindOf(type.InternalName) is { } kind)
                    result.Add(new ColumnSchema(column.ColumnName, kind, column.DataTypeName));
            }
            return result;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            throw new BatchScoringException($"Source table {table} does not exist: {e.MessageText}", e);
        }
    }

    public async IAsyncEnumerable<RowBatch> ReadAsync(
        IReadOnlyList<ColumnSchema> columns, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sql = $"COPY (SELECT {BinaryCopyWriter.ColumnList(columns)} FROM {table.Quoted}) TO STDOUT (FORMAT BINARY)";
        await using var exporter = await connection.BeginBinaryExportAsync(sql, cancellationToken);
        while (true)
        {
            var batch = new RowBatch(columns, batchSize);
            if (!await BinaryCopyReader.FillAsync(exporter, batch, cancellationToken))
                yield break;
            yield return batch;
            if (batch.Count < batchSize)
                yield break;
        }
    }
}
