using Npgsql;
using Xunit;

namespace BatchScoring.Testing;

/// <summary>
/// An xunit class fixture: a fresh database on the shared <see cref="PostgresServer"/> for each
/// test class, dropped afterwards, so tests never see each other's rows.
/// </summary>
public class PostgresDatabase : IAsyncLifetime
{
    private string? _adminConnectionString;

    public string Name { get; } = "t_" + Guid.NewGuid().ToString("N")[..16];
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        _adminConnectionString = await PostgresServer.AdminConnectionStringAsync();
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = Name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public virtual async Task DisposeAsync()
    {
        if (_adminConnectionString is null)
            return;
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        // Generous timeouts: on a machine busy with the other test classes, opening the connection or the drop (which
        // terminates the database's sessions and removes its files) can outlast the defaults (15 s, 30 s), and a class
        // cleanup failure fails the whole run.
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_adminConnectionString) { Timeout = 120, CommandTimeout = 300 }.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
