using BatchScoring.Postgres.Migrations;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace BatchScoring.Worker.Observability.Health;

/// <summary>The <c>migrations</c> check of <c>/health/ready</c>: every migration of this build is applied.</summary>
internal sealed class MigrationsHealthCheck(MigrationRunner migrations) : IHealthCheck
{
    public const string Name = "migrations";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = await migrations.PendingAsync(cancellationToken);
            return pending.Count == 0
                ? HealthCheckResult.Healthy($"all {MigrationScript.All.Count} migrations applied")
                : HealthCheckResult.Unhealthy($"{pending.Count} pending: {string.Join(", ", pending)}");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"unknown: {e.Message}");
        }
    }
}
