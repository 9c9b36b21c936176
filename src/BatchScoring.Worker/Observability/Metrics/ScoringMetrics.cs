using Prometheus;

namespace BatchScoring.Worker.Observability.Metrics;

/// <summary>
/// The service's metrics, in a prometheus-net registry of their own per host (so two hosts in one process keep
/// separate numbers), with the .NET runtime's and the process's; <see cref="ObservabilityEndpoint"/> serves it on
/// <c>/metrics</c>. The ledger's gauges are added by <see cref="LedgerGauges"/>.
/// </summary>
internal sealed class ScoringMetrics
{
    /// <summary>Partition durations span sub-second test partitions to hour-long backfill days.</summary>
    public static readonly IReadOnlyList<double> DurationBucketsSeconds = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private static readonly string[] JobLabel = ["job"];
    private static readonly string[] JobAndStatus = ["job", "status"];

    private readonly Counter _runs;
    private readonly Counter _partitions;
    private readonly Histogram _partitionDuration;
    private readonly Counter _rowsRead;
    private readonly Counter _rowsScored;
    private readonly Counter _rowsFailed;
    private readonly Counter _leaseReclaims;
    private readonly Counter _driftFlags;
    private readonly Counter _rowsUnchanged;

    public ScoringMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _runs = Factory.CreateCounter("batchscoring_runs_total", "Runs finished, by job and final status.", JobAndStatus);
        _partitions = Factory.CreateCounter("batchscoring_partitions_total", "Partition attempts finished, by job and status.", JobAndStatus);
        _partitionDuration = Factory.CreateHistogram("batchscoring_partition_duration_seconds", "Wall time of partition attempts, by job and status.",
            new HistogramConfiguration { LabelNames = JobAndStatus, Buckets = [.. DurationBucketsSeconds] });
        _rowsRead = Factory.CreateCounter("batchscoring_rows_read_total", "Source rows read, by job.", JobLabel);
        _rowsScored = Factory.CreateCounter("batchscoring_rows_scored_total", "Rows scored and written, by job.", JobLabel);
        _rowsUnchanged = Factory.CreateCounter("batchscoring_rows_unchanged_total", "Rows read whose inputs had not changed since they were scored (output.skip_unchanged): not scored again, by job.", JobLabel);
        _rowsFailed = Factory.CreateCounter("batchscoring_rows_failed_total", "Rows that could not be scored (dead letters), by job.", JobLabel);
        _leaseReclaims = Factory.CreateCounter("batchscoring_lease_reclaims_total", "Partitions reclaimed after their lease expired, by job.", JobLabel);
        _driftFlags = Factory.CreateCounter("batchscoring_drift_flags_total", "Runs that raised a drift flag, by job.", JobLabel);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Creates more metrics in <see cref="Registry"/>.</summary>
    public IMetricFactory Factory { get; }

    public void RunFinished(string job, string status) => _runs.WithLabels(job, status).Inc();

    public void PartitionFinished(string job, string status, TimeSpan duration)
    {
        _partitions.WithLabels(job, status).Inc();
        _partitionDuration.WithLabels(job, status).Observe(duration.TotalSeconds);
    }

    public void RowsRead(string job, long count) => AddRows(_rowsRead, job, count);

    public void RowsScored(string job, long count) => AddRows(_rowsScored, job, count);

    public void RowsUnchanged(string job, long count) => AddRows(_rowsUnchanged, job, count);

    public void RowsFailed(string job, long count) => AddRows(_rowsFailed, job, count);

    public void LeaseReclaimed(string job) => _leaseReclaims.WithLabels(job).Inc();

    public void DriftFlagRaised(string job) => _driftFlags.WithLabels(job).Inc();

    // A zero still creates the series, so dashboards see the job before its first failed row.
    private static void AddRows(Counter counter, string job, long count) => counter.WithLabels(job).Inc(Math.Max(0, count));
}
