using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace BatchScoring.Worker.Observability.Health;

/// <summary>The <c>database</c> check of <c>/health/ready</c>: PostgreSQL answers a query.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT current_setting('server_version')", connection);
            var version = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            return HealthCheckResult.Healthy($"PostgreSQL {version}, database {connection.Database}");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException or TimeoutException)
        {
            // After a database restart the pool still holds dead connections: drop them so the next probe sees the truth.
            dataSource.Clear();
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
