using Npgsql;

namespace BatchScoring.Postgres.Sources;

/// <summary>
/// Cancels a backend's running statement from another connection. The driver's own cancellation of a COPY read only drops
/// the socket, and a backend that sends nothing (a query still before its first row) would not notice until it finished.
/// </summary>
internal static class ServerCancel
{
    public static async Task CancelAsync(NpgsqlDataSource dataSource, int pid)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT pg_cancel_backend($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = pid });
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The database is unreachable: the statement_timeout still ends the query on the server.
        }
    }
}
