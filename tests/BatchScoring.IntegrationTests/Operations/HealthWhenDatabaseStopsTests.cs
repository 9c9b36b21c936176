using System.Net;
using System.Text.Json;
using BatchScoring.Postgres.Local;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using BatchScoring.Worker.Hosting;
using BatchScoring.Worker.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>
/// Stops a server of its own (never the one the other tests share) under a running endpoint. The
/// server is durable and stopped cleanly: a throwaway server without synchronous commit could lose
/// the last migration's record in an immediate stop and come back with a migration pending.
/// </summary>
public sealed class HealthWhenDatabaseStopsTests : IAsyncLifetime
{
    private readonly LocalPostgresCluster _cluster = new(
        Path.Combine(Path.GetTempPath(), "batchscoring-health-" + Guid.NewGuid().ToString("N")[..12]), FreePort.OnLoopback(), durable: true);

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

    [Fact]
    public async Task A_clustered_scheduler_reports_unhealthy_while_its_database_is_stopped()
    {
        var address = OperationsHelpers.FreeLoopbackAddress();
        var jobs = Directory.CreateTempSubdirectory("batchscoring-health-jobs-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = _cluster.ConnectionString + ";Timeout=3",
            ["Observability:MetricsAddress"] = address,
            ["Observability:HealthTimeout"] = "00:00:05",
            ["Jobs:Directory"] = jobs,
            ["Scheduler:Clustered"] = "true",
        }).Build();
        using var host = await ServiceHost.BuildAsync(configuration, CancellationToken.None, services => services.AddJobScheduling(configuration));
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await host.StartAsync();
        try
        {
            var healthy = await HealthySchedulerAsync(address);
            Assert.Contains("clustered", healthy.GetProperty("detail").GetString());

            await _cluster.StopAsync(immediate: false, CancellationToken.None);
            var (status, body) = await OperationsHelpers.GetAsync(address + "/health");

            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{status}: {body}");
            Assert.Equal("unhealthy", SchedulerCheck(body).GetProperty("status").GetString());
        }
        finally
        {
            await _cluster.StartAsync(CancellationToken.None);
            await host.StopAsync();
            Directory.Delete(jobs, recursive: true);
        }
    }

    [Fact]
    public async Task The_scheduler_check_is_unhealthy_while_the_scheduler_is_stopped()
    {
        var address = OperationsHelpers.FreeLoopbackAddress();
        var jobs = Directory.CreateTempSubdirectory("batchscoring-health-jobs-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchScoring"] = _cluster.ConnectionString,
            ["Observability:MetricsAddress"] = address,
            ["Jobs:Directory"] = jobs,
        }).Build();
        using var host = await ServiceHost.BuildAsync(configuration, CancellationToken.None, services => services.AddJobScheduling(configuration));
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await host.StartAsync();
        try
        {
            await HealthySchedulerAsync(address);
            var scheduler = await host.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
            await scheduler.Standby();

            var (status, body) = await OperationsHelpers.GetAsync(address + "/health/ready");
            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{status}: {body}");
            var check = SchedulerCheck(body);
            Assert.Equal("unhealthy", check.GetProperty("status").GetString());
            Assert.Contains("standby", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await OperationsHelpers.GetAsync(address + "/health/live")).Status);

            await scheduler.Start();
            await HealthySchedulerAsync(address);
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(jobs, recursive: true);
        }
    }

    /// <summary>The scheduler check once Quartz, which starts after the endpoint, is running.</summary>
    private static async Task<JsonElement> HealthySchedulerAsync(string address)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (_, body) = await OperationsHelpers.GetAsync(address + "/health");
            var scheduler = SchedulerCheck(body);
            if (scheduler.GetProperty("status").GetString() == "healthy")
                return scheduler;
            Assert.True(DateTime.UtcNow < deadline, $"the scheduler never became healthy: {body}");
            await Task.Delay(200);
        }
    }

    private static JsonElement SchedulerCheck(string health)
        => JsonDocument.Parse(health).RootElement.GetProperty("checks").GetProperty("scheduler").Clone();
}
