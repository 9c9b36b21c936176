using System.Globalization;
using System.Net;
using System.Text.Json;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Postgres.Migrations;
using BatchScoring.Testing;
using BatchScoring.Worker.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace BatchScoring.IntegrationTests.Operations;

public class MetricsAndHealthEndpointTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Fact]
    public async Task Metrics_and_health_answer_over_HTTP_and_the_counters_move_after_runs()
    {
        OperationsHelpers.WriteChurnJob(env, "metered", ScoringEnvironment.SourceTable, "scored.metered");
        await OperationsHelpers.CreateBrokenSourceAsync(env, "public.metered_broken");
        OperationsHelpers.WriteChurnJob(env, "metered-broken", "public.metered_broken", "scored.metered_broken");
        var address = OperationsHelpers.FreeLoopbackAddress();
        using var host = await env.HostAsync(("Observability:MetricsAddress", address));
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        await host.StartAsync();
        try
        {
            var (status, before) = await OperationsHelpers.GetAsync(address + "/metrics");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("# TYPE batchscoring_runs_total counter", before);
            Assert.Contains("# TYPE batchscoring_partition_duration_seconds histogram", before);
            Assert.DoesNotContain("job=\"metered\"", before);

            var runner = host.Services.GetRequiredService<JobRunner>();
            Assert.Equal(RunStatus.Succeeded, (await runner.RunAsync(JobSpecLoader.LoadByName(env.Folder, "metered"), RunTrigger.Manual, CancellationToken.None)).Status);
            Assert.Equal(RunStatus.Succeeded, (await runner.RunAsync(JobSpecLoader.LoadByName(env.Folder, "metered"), RunTrigger.Manual, CancellationToken.None)).Status);
            Assert.Equal(RunStatus.Failed, (await runner.RunAsync(JobSpecLoader.LoadByName(env.Folder, "metered-broken"), RunTrigger.Manual, CancellationToken.None)).Status);

            var (_, after) = await OperationsHelpers.GetAsync(address + "/metrics");
            var lines = after.Split('\n');
            Assert.Contains("batchscoring_runs_total{job=\"metered\",status=\"succeeded\"} 2", lines);
            Assert.Contains("batchscoring_runs_total{job=\"metered-broken\",status=\"failed\"} 1", lines);
            Assert.Contains($"batchscoring_rows_read_total{{job=\"metered\"}} {2 * ScoringEnvironment.SourceRows}", lines);
            Assert.Contains($"batchscoring_rows_scored_total{{job=\"metered\"}} {2 * ScoringEnvironment.SourceRows}", lines);
            Assert.Contains("batchscoring_rows_failed_total{job=\"metered\"} 0", lines);
            // Gauges read from the ledger, so they count runs of every process, and the runtime's own series.
            Assert.Contains("batchscoring_runs_in_progress{job=\"metered\"} 0", lines);
            Assert.Contains("batchscoring_partitions{job=\"metered\",state=\"pending\"} 0", lines);
            var lastSuccess = lines.Single(l => l.StartsWith("batchscoring_last_success_timestamp_seconds{job=\"metered\"} ", StringComparison.Ordinal));
            var finished = DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(lastSuccess.Split(' ')[1], CultureInfo.InvariantCulture) * 1000));
            Assert.InRange(finished, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddSeconds(5));
            Assert.DoesNotContain(lines, l => l.StartsWith("batchscoring_last_success_timestamp_seconds{job=\"metered-broken\"}", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("process_cpu_seconds_total ", StringComparison.Ordinal));

            var (healthStatus, healthBody) = await OperationsHelpers.GetAsync(address + "/health");
            Assert.Equal(HttpStatusCode.OK, healthStatus);
            using var health = JsonDocument.Parse(healthBody);
            Assert.Equal("healthy", health.RootElement.GetProperty("status").GetString());
            var checks = health.RootElement.GetProperty("checks");
            Assert.Equal("healthy", checks.GetProperty("database").GetProperty("status").GetString());
            Assert.Equal("healthy", checks.GetProperty("migrations").GetProperty("status").GetString());
            Assert.Equal("not_configured", checks.GetProperty("scheduler").GetProperty("status").GetString());

            Assert.Equal(HttpStatusCode.OK, (await OperationsHelpers.GetAsync(address + "/health/ready")).Status);
            var (liveStatus, liveBody) = await OperationsHelpers.GetAsync(address + "/health/live");
            Assert.Equal(HttpStatusCode.OK, liveStatus);
            Assert.Contains("alive", liveBody, StringComparison.Ordinal);
            using (var http = new HttpClient())
            {
                foreach (var path in new[] { "/health/live", "/health/ready", "/metrics" })
                {
                    using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, address + path));
                    Assert.Equal(HttpStatusCode.OK, head.StatusCode);
                    Assert.Empty(await head.Content.ReadAsByteArrayAsync());
                }
            }

            Assert.Equal(HttpStatusCode.NotFound, (await OperationsHelpers.GetAsync(address + "/other")).Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task The_container_address_with_plus_listens_on_every_interface()
    {
        var port = FreePort.OnLoopback();
        using var host = await env.HostAsync(("Observability:MetricsAddress", $"http://+:{port}"));
        await host.StartAsync();
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await OperationsHelpers.GetAsync($"http://127.0.0.1:{port}/metrics")).Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
