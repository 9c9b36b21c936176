using BatchScoring.Postgres.Local;
using BatchScoring.Testing;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// The database the measures share: <c>ConnectionStrings__BatchScoring</c> or <c>BATCHSCORING_BENCH_DB</c>
/// when set, else a throwaway local cluster (fsync off) that is stopped and deleted at the end.
/// </summary>
public sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly LocalPostgresCluster? _cluster;

    private BenchmarkDatabase(string connectionString, LocalPostgresCluster? cluster)
    {
        ConnectionString = connectionString;
        _cluster = cluster;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }
    public string Description => _cluster is null ? "an existing database (from the environment)" : "a throwaway local cluster (durable: fsync and synchronous_commit on)";

    public static async Task<BenchmarkDatabase> OpenAsync()
    {
        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__BatchScoring") is { Length: > 0 } fromConfig
            ? fromConfig
            : Environment.GetEnvironmentVariable("BATCHSCORING_BENCH_DB");
        if (!string.IsNullOrEmpty(configured))
            return new BenchmarkDatabase(configured, null);

        var folder = Path.Combine(Path.GetTempPath(), "batchscoring-bench-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var cluster = new LocalPostgresCluster(folder, FreePort.OnLoopback(), durable: true);
        Console.WriteLine($"Starting a throwaway PostgreSQL in {folder} on port {cluster.Port}");
        await cluster.StartAsync(CancellationToken.None);
        return new BenchmarkDatabase(cluster.ConnectionString, cluster);
    }

    /// <summary>
    /// Writes out what earlier measures left in shared buffers and WAL, so that a measure does not pay for the one before
    /// it; skipped where the role may not checkpoint.
    /// </summary>
    public static async Task CheckpointAsync(NpgsqlDataSource dataSource)
    {
        try
        {
            await using var command = dataSource.CreateCommand("CHECKPOINT");
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (_cluster is null)
            return;
        NpgsqlConnection.ClearAllPools();
        await _cluster.StopAsync(immediate: true, CancellationToken.None);
        Directory.Delete(_cluster.DataDirectory, recursive: true);
    }
}
