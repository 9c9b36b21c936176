using BatchScoring.Postgres.Migrations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BatchScoring.Worker.Observability.Health;

/// <summary>
/// Answers <c>/health</c>: the database answers, every migration is applied, and each
/// <see cref="IHealthContributor"/> (the scheduler) is healthy. Each check is bounded by
/// <c>Observability:HealthTimeout</c>, so a hung database reads as unhealthy, not as a hung probe.
/// </summary>
internal sealed class HealthReporter(
    NpgsqlDataSource dataSource,
    MigrationRunner migrations,
    IEnumerable<IHealthContributor> contributors,
    IOptions<ObservabilityOptions> options)
{
    public const string DatabaseCheck = "database";
    public const string MigrationsCheck = "migrations";
    public const string SchedulerCheck = "scheduler";

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, HealthCheckResult>
        {
            [DatabaseCheck] = await BoundedAsync(DatabaseAsync, cancellationToken),
        };
        // After a database restart the pool still holds dead connections: drop them so the next probe sees the truth.
        if (checks[DatabaseCheck].IsUnhealthy)
            dataSource.Clear();
        checks[MigrationsCheck] = checks[DatabaseCheck].IsUnhealthy
            ? HealthCheckResult.Unhealthy("unknown: the database is unreachable")
            : await BoundedAsync(MigrationsAsync, cancellationToken);
        foreach (var contributor in contributors)
            checks[contributor.Name] = await BoundedAsync(contributor.CheckAsync, cancellationToken);
        checks.TryAdd(SchedulerCheck, HealthCheckResult.NotConfigured("no scheduler is registered in this process"));

        var status = checks.Values.Any(c => c.IsUnhealthy) ? HealthCheckResult.UnhealthyStatus : HealthCheckResult.HealthyStatus;
        return new HealthReport(status, checks);
    }

    private async Task<HealthCheckResult> DatabaseAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT current_setting('server_version')", connection);
        var version = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        return HealthCheckResult.Healthy($"PostgreSQL {version}, database {connection.Database}");
    }

    private async Task<HealthCheckResult> MigrationsAsync(CancellationToken cancellationToken)
    {
        var pending = await migrations.PendingAsync(cancellationToken);
        return pending.Count == 0
            ? HealthCheckResult.Healthy($"all {MigrationScript.All.Count} migrations applied")
            : HealthCheckResult.Unhealthy($"{pending.Count} pending: {string.Join(", ", pending)}");
    }

    private async Task<HealthCheckResult> BoundedAsync(Func<CancellationToken, Task<HealthCheckResult>> check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.HealthTimeout);
        try
        {
            return await check(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"no answer within {options.Value.HealthTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
