using Npgsql;

namespace BatchScoring.Postgres.Sources;

/// <summary>A connection inside a READ ONLY transaction in UTC: sources can never write, whatever their SQL says.</summary>
internal sealed class ReadOnlySession : IAsyncDisposable
{
    private readonly NpgsqlTransaction _transaction;

    private ReadOnlySession(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        _transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    public static async Task<ReadOnlySession> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var setup = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL TIME ZONE 'UTC'", connection, transaction);
            await setup.ExecuteNonQueryAsync(cancellationToken);
            return new ReadOnlySession(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public NpgsqlCommand Command(string sql) => new(sql, Connection, _transaction);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
