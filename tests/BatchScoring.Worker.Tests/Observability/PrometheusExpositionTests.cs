using System.Text;
using BatchScoring.Worker.Observability.Metrics;

namespace BatchScoring.Worker.Tests.Observability;

public class PrometheusExpositionTests
{
    [Fact]
    public async Task Partition_durations_are_a_cumulative_histogram_and_every_counter_has_its_series()
    {
        var metrics = new ScoringMetrics();
        metrics.PartitionFinished("churn", "succeeded", TimeSpan.FromMilliseconds(300));
        metrics.PartitionFinished("churn", "succeeded", TimeSpan.FromSeconds(20));
        metrics.PartitionFinished("churn", "failed", TimeSpan.FromSeconds(1));
        metrics.LeaseReclaimed("nightly \"eu\"");
        metrics.DriftFlagRaised("churn");
        metrics.RowsFailed("churn", 3);

        var lines = (await ScrapeAsync(metrics)).Split('\n');

        Assert.Contains("# TYPE batchscoring_partition_duration_seconds histogram", lines);
        Assert.Contains("batchscoring_partition_duration_seconds_bucket{job=\"churn\",status=\"succeeded\",le=\"0.1\"} 0", lines);
        Assert.Contains("batchscoring_partition_duration_seconds_bucket{job=\"churn\",status=\"succeeded\",le=\"0.5\"} 1", lines);
        Assert.Contains("batchscoring_partition_duration_seconds_bucket{job=\"churn\",status=\"succeeded\",le=\"10\"} 1", lines);
        Assert.Contains("batchscoring_partition_duration_seconds_bucket{job=\"churn\",status=\"succeeded\",le=\"30\"} 2", lines);
        Assert.Contains("batchscoring_partition_duration_seconds_bucket{job=\"churn\",status=\"succeeded\",le=\"+Inf\"} 2", lines);
        Assert.Contains("batchscoring_partition_duration_seconds_sum{job=\"churn\",status=\"succeeded\"} 20.3", lines);
        Assert.Contains("batchscoring_partition_duration_seconds_count{job=\"churn\",status=\"succeeded\"} 2", lines);
        Assert.Contains("batchscoring_partitions_total{job=\"churn\",status=\"failed\"} 1", lines);
        Assert.Contains("batchscoring_drift_flags_total{job=\"churn\"} 1", lines);
        Assert.Contains("batchscoring_lease_reclaims_total{job=\"nightly \\\"eu\\\"\"} 1", lines);
        Assert.Contains("batchscoring_rows_failed_total{job=\"churn\"} 3", lines);
        // The runtime's and the process's own series come with every host's registry.
        Assert.Contains(lines, l => l.StartsWith("process_cpu_seconds_total ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("dotnet_total_memory_bytes ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_hosts_in_one_process_keep_their_own_numbers()
    {
        var first = new ScoringMetrics();
        var second = new ScoringMetrics();

        first.RunFinished("churn", "succeeded");

        Assert.Contains("batchscoring_runs_total{job=\"churn\",status=\"succeeded\"} 1", await ScrapeAsync(first));
        Assert.DoesNotContain("job=\"churn\"", await ScrapeAsync(second));
    }

    private static async Task<string> ScrapeAsync(ScoringMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
