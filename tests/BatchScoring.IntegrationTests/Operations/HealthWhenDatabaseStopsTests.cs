using System.Net;
using System.Text.Json;
using BatchScoring.Postgres.Local;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// Stops a server of its own (never the one the other tests share) under a running endpoint. The
/// server is durable and stopped cleanly: a throwaway server without synchronous commit could lose
/// the last migration's record in an immediate stop and come back with a migration pending.
/// </summary>
public sealed class HealthWhenDatabaseStopsTests : IAsyncLifetime
{
    private readonly LocalPostgresCluster _cluster = new(
        Path.Combine(Path.GetTempPath(), "batchscoring-health-" + Guid.NewGuid().ToString("N")[..12]), LocalPostgresCluster.FindFreePort(), durable: true);

    public Task InitializeAsync() => _cluster.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _cluster.StopAsync(immediate: true, CancellationToken.None);
        Directory.Delete(_cluster.DataDirectory, recursive: true);
    }

    [Fact]
    public async Task Health_is_503_with_the_reason_once_the_database_is_stopped_and_200_again_when_it_is_back()
    {
        var address = OperationsHelpers.FreeLoopbackAddress();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = _cluster.ConnectionString + ";Timeout=3",
            ["Observability:MetricsAddress"] = address,
            ["Observability:HealthTimeout"] = "00:00:05",
        }).Build();
        using var host = await ServiceHost.BuildAsync(configuration, CancellationToken.None);
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await host.StartAsync();
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await OperationsHelpers.GetAsync(address + "/health")).Status);

            await _cluster.StopAsync(immediate: false, CancellationToken.None);
            var (status, body) = await OperationsHelpers.GetAsync(address + "/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            using var report = JsonDocument.Parse(body);
            Assert.Equal("unhealthy", report.RootElement.GetProperty("status").GetString());
            Assert.Equal("unhealthy", report.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
            Assert.Equal("unhealthy", report.RootElement.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString());

            // /metrics does not need the database.
            Assert.Equal(HttpStatusCode.OK, (await OperationsHelpers.GetAsync(address + "/metrics")).Status);

            await _cluster.StartAsync(CancellationToken.None);
            var (statusAgain, bodyAgain) = await OperationsHelpers.GetAsync(address + "/health");
            Assert.True(statusAgain == HttpStatusCode.OK, bodyAgain);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
