using BatchScoring.Postgres.Local;
using Npgsql;
using Testcontainers.PostgreSql;

namespace BatchScoring.Testing;

/// <summary>
/// The PostgreSQL server shared by every test of a test process, found in this order:
/// <list type="number">
/// <item><c>BATCHSCORING_TEST_DB</c>, a connection string to a server where the user may create databases;</item>
/// <item>Testcontainers, where a Docker engine answers, with the image <c>BATCHSCORING_TEST_POSTGRES_IMAGE</c>
/// (default <c>postgres:15-alpine</c>; CI passes its locally built <c>batchscoring-ci/postgres:15</c>);</item>
/// <item>a throwaway cluster from the local PostgreSQL binaries, stopped and deleted when the process exits.</item>
/// </list>
/// When none works, tests fail with what was tried and how to fix it: never a silent skip.
/// <c>BATCHSCORING_TEST_SERVER=testcontainers</c> allows Testcontainers only, so CI proves that path runs.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "BATCHSCORING_TEST_DB";
    private const string ImageVariable = "BATCHSCORING_TEST_POSTGRES_IMAGE";
    private const string RequiredVariable = "BATCHSCORING_TEST_SERVER";

    private static readonly Lazy<Task<Server>> Shared = new(StartAsync);

    /// <summary>A connection string to the server's <c>postgres</c> database, as a user that can create databases.</summary>
    public static async Task<string> AdminConnectionStringAsync() => (await Shared.Value).AdminConnectionString;

    /// <summary>The local cluster, when that is what the tests run on (tests that restart the server need it).</summary>
    public static async Task<LocalPostgresCluster?> LocalClusterAsync() => (await Shared.Value).LocalCluster;

    private sealed record Server(string AdminConnectionString, string Description, LocalPostgresCluster? LocalCluster);

    private static async Task<Server> StartAsync()
    {
        var attempts = new List<string>();

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            try
            {
                await using var connection = new NpgsqlConnection(configured);
                await connection.OpenAsync();
                return new Server(configured, EnvironmentVariable, null);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{EnvironmentVariable} is set but its server does not answer: {e.Message}", e);
            }
        }
        attempts.Add($"{EnvironmentVariable} is not set");

        var onlyTestcontainers = string.Equals(Environment.GetEnvironmentVariable(RequiredVariable), "testcontainers", StringComparison.OrdinalIgnoreCase);
        var image = Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } named ? named : "postgres:15-alpine";
        try
        {
            var container = new PostgreSqlBuilder(image).Build();
            await container.StartAsync();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return new Server(container.GetConnectionString(), $"Testcontainers ({image})", null);
        }
        catch (Exception e) when (!onlyTestcontainers)
        {
            attempts.Add($"Testcontainers ({image}): {e.GetType().Name}: {FirstLine(e.Message)}");
        }

        try
        {
            await RemoveLeftoverClustersAsync();
            var directory = Path.Combine(Path.GetTempPath(), $"{ClusterPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
            var cluster = new LocalPostgresCluster(directory, FreePort.OnLoopback(), durable: false);
            await cluster.StartAsync(CancellationToken.None);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAndDelete(cluster);
            return new Server(cluster.ConnectionString, "local binaries", cluster);
        }
        catch (Exception e)
        {
            attempts.Add($"local PostgreSQL binaries: {FirstLine(e.Message)}");
        }

        throw new InvalidOperationException(
            "No PostgreSQL for the tests. Tried: " + string.Join("; ", attempts) + ". Fix one of them: set " +
            $"{EnvironmentVariable} to a connection string (e.g. Host=127.0.0.1;Username=postgres;Password=…), start a Docker engine, " +
            "or install the PostgreSQL server binaries (Debian: apt-get install postgresql-15).");
    }

    private const string ClusterPrefix = "batchscoring-test-";

    /// <summary>Clusters of test processes that were killed before they could clean up (the folder name holds the process id).</summary>
    private static async Task RemoveLeftoverClustersAsync()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), ClusterPrefix + "*"))
        {
            var pid = Path.GetFileName(directory)[ClusterPrefix.Length..].Split('-')[0];
            if (int.TryParse(pid, out var id) && !IsAlive(id))
                await Task.Run(() => StopAndDelete(new LocalPostgresCluster(directory, 0)));
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void StopAndDelete(LocalPostgresCluster cluster)
    {
        try
        {
            cluster.StopAsync(immediate: true, CancellationToken.None).GetAwaiter().GetResult();
            Directory.Delete(cluster.DataDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not remove the test cluster in {cluster.DataDirectory}: {e.Message}");
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
