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
        // The database is a throwaway on a throwaway server, so a drop that fails twice is reported rather than failing the
        // test class (xunit reports a class cleanup failure as a failed run, with only the exception's type). Generous
        // timeouts: on a machine busy with the other test projects, opening the connection or the drop (which terminates
        // the database's sessions and removes its files) can outlast the defaults (15 s, 30 s).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await DropAsync();
                return;
            }
            catch (NpgsqlException e) when (attempt < 2)
            {
                Console.Error.WriteLine($"Dropping the test database {Name} failed ({e.GetType().Name}: {e.Message}); trying again.");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"The test database {Name} was left behind: {e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                return;
            }
        }
    }

    private async Task DropAsync()
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_adminConnectionString) { Timeout = 120, CommandTimeout = 300 }.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
