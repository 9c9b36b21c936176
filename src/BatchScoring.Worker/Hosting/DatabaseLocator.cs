using BatchScoring.Postgres.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace BatchScoring.Worker.Hosting;

/// <summary>
/// Finds the database: <c>ConnectionStrings:BatchScoring</c> when configured, else the embedded
/// local cluster in <c>LocalDatabase:DataDirectory</c>, started (and created) on first use.
/// </summary>
internal static class DatabaseLocator
{
    public static LocalPostgresCluster LocalCluster(IConfiguration configuration)
    {
        var options = AppConfiguration.Bind<LocalDatabaseOptions>(configuration, LocalDatabaseOptions.Section);
        return new LocalPostgresCluster(options.DataDirectory, options.Port);
    }

    public static async Task<string> ResolveAsync(IConfiguration configuration, ILogger logger, CancellationToken cancellationToken)
    {
        if (AppConfiguration.ConfiguredConnectionString(configuration) is { } configured)
            return configured;
        var cluster = LocalCluster(configuration);
        var wasRunning = await cluster.IsRunningAsync(cancellationToken);
        await cluster.StartAsync(cancellationToken);
        logger.LogInformation(
            "No ConnectionStrings:BatchScoring configured: using the local PostgreSQL in {DataDirectory} on port {Port} ({State})",
            cluster.DataDirectory, cluster.Port, wasRunning ? "already running" : "started");
        return cluster.ConnectionString;
    }
}
