using BatchScoring.Core.Synthetic;
using BatchScoring.Postgres.Copy;
using Dapper;
using Npgsql;

namespace BatchScoring.Worker.Demo;

/// <summary>The demo's source table <c>demo.customers</c>, filled with <see cref="SyntheticChurnData"/>.</summary>
internal static class DemoDataset
{
    public const string Table = "demo.customers";

    /// <summary>Creates and fills the table unless it already holds exactly <paramref name="rows"/> rows; returns whether it generated them.</summary>
    public static async Task<bool> EnsureAsync(NpgsqlDataSource dataSource, int rows, int seed, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT to_regclass('{Table}') IS NOT NULL", cancellationToken: cancellationToken));
        if (exists && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT count(*) FROM {Table}", cancellationToken: cancellationToken)) == rows)
            return false;

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition($"""
            CREATE SCHEMA IF NOT EXISTS demo;
            DROP TABLE IF EXISTS {Table};
            CREATE TABLE {Table} ({SyntheticChurnData.TableDefinition});
            """, transaction: transaction, cancellationToken: cancellationToken));
        await BinaryCopyWriter.CopyAsync(connection, Table, SyntheticChurnData.Generate(rows, seed).ToAsyncEnumerable(), cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition($"CREATE INDEX ON {Table} (event_time)", transaction: transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition($"ANALYZE {Table}", cancellationToken: cancellationToken));
        return true;
    }
}
