using System.Net;
using System.Text.RegularExpressions;
using BatchScoring.Testing;

namespace BatchScoring.IntegrationTests.Operations;

/// <summary>The Grafana dashboard and the Prometheus alerts only use series a real worker serves.</summary>
public partial class DashboardAndAlertMetricsTests(ScoringEnvironment env) : IClassFixture<ScoringEnvironment>
{
    [Theory]
    [InlineData("deploy/grafana/batchscoring.json")]
    [InlineData("deploy/prometheus/alerts.yml")]
    public async Task Every_metric_the_file_uses_is_in_a_scrape_of_the_worker(string file)
    {
        var used = MetricName().Matches(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, file)))
            .Select(m => HistogramSeries().Replace(m.Value, ""))
            .ToHashSet();
        Assert.NotEmpty(used);

        var address = OperationsHelpers.FreeLoopbackAddress();
        using var host = await env.HostAsync(("Observability:MetricsAddress", address));
        await host.StartAsync();
        try
        {
            var (status, scrape) = await OperationsHelpers.GetAsync(address + "/metrics");
            Assert.Equal(HttpStatusCode.OK, status);
            var served = scrape.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
                .Select(l => l.Split(' ')[2]).ToHashSet();
            Assert.Empty(used.Except(served));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [GeneratedRegex(@"batchscoring_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"_(bucket|sum|count)$")]
    private static partial Regex HistogramSeries();
}
