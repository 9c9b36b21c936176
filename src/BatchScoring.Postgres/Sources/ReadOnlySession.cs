using System.Data;
using System.Globalization;
using Npgsql;

namespace BatchScoring.Postgres.Sources;

/// <summary>
/// A connection inside a transaction begun READ ONLY (no statement runs before it is read-only), in UTC: sources can never
/// write, whatever their SQL says. Its statements are bounded on the server by the job's limit (<c>statement_timeout</c>,
/// <c>idle_in_transaction_session_timeout</c>), never by the driver's 30 s default; cancelling the token cancels the
/// statement on the server too: Npgsql cancels a COPY read by dropping the connection, which a backend still before its
/// first row would not notice until it finished.
/// </summary>
internal sealed class ReadOnlySession : IAsyncDisposable
{
    private CancellationTokenRegistration _cancellation;
    private Task? _serverCancel;

    private ReadOnlySession(NpgsqlConnection connection) => Connection = connection;

    public NpgsqlConnection Connection { get; }

    /// <param name="repeatableRead">Every statement sees the snapshot of the first (a partition read that tracks changes, <see cref="PostgresPartitionRead"/>).</param>
    public static async Task<ReadOnlySession> OpenAsync(NpgsqlDataSource dataSource, SourceLimits limits, CancellationToken cancellationToken, bool repeatableRead = false)
    {
        var connection = WithoutDriverTimeout(dataSource);
        var session = new ReadOnlySession(connection);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var milliseconds = ((long)Math.Ceiling(limits.StatementTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
            await using var setup = new NpgsqlCommand(
                $"BEGIN {(repeatableRead ? "ISOLATION LEVEL REPEATABLE READ " : "")}READ ONLY; SET LOCAL TIME ZONE 'UTC'; SET LOCAL statement_timeout = {milliseconds}; " +
                $"SET LOCAL idle_in_transaction_session_timeout = {milliseconds}", connection);
            await setup.ExecuteNonQueryAsync(cancellationToken);
            var pid = connection.ProcessID;
            session._cancellation = cancellationToken.Register(() => session._serverCancel = ServerCancel.CancelAsync(dataSource, pid));
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A connection like the data source's (password and TLS callbacks included) whose reads never time out in the driver:
    /// a command's own <c>CommandTimeout</c> does not reach the wait for a COPY's first message, the connection's does.
    /// </summary>
    private static NpgsqlConnection WithoutDriverTimeout(NpgsqlDataSource dataSource)
    {
        using var template = dataSource.CreateConnection();
        return template.CloneWith(new NpgsqlConnectionStringBuilder(template.ConnectionString) { CommandTimeout = 0 }.ConnectionString);
    }

    public NpgsqlCommand Command(string sql) => new(sql, Connection);

    public async ValueTask DisposeAsync()
    {
        await _cancellation.DisposeAsync();
        try
        {
            // Awaited before the connection goes back to the pool, so that the cancel cannot reach the connection's next user.
            if (_serverCancel is not null)
                await _serverCancel;
            if (Connection.FullState == ConnectionState.Open)
            {
                await using var rollback = new NpgsqlCommand("ROLLBACK", Connection);
                await rollback.ExecuteNonQueryAsync();
            }
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}
