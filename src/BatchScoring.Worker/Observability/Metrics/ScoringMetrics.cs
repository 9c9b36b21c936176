using System.Diagnostics.Metrics;

namespace BatchScoring.Worker.Observability.Metrics;

/// <summary>
/// The service's metrics, one <see cref="System.Diagnostics.Metrics.Meter"/> per host. Instrument
/// names are already Prometheus names; <see cref="MetricsCollector"/> serves them on <c>/metrics</c>.
/// </summary>
internal sealed class ScoringMetrics : IDisposable
{
    public const string MeterName = "BatchScoring";

    /// <summary>Partition durations span sub-second test partitions to hour-long backfill days.</summary>
    public static readonly IReadOnlyList<double> DurationBucketsSeconds = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Counter<long> _runs;
    private readonly Counter<long> _partitions;
    private readonly Histogram<double> _partitionDuration;
    private readonly Counter<long> _rowsRead;
    private readonly Counter<long> _rowsScored;
    private readonly Counter<long> _rowsFailed;
    private readonly Counter<long> _leaseReclaims;
    private readonly Counter<long> _driftFlags;

    public ScoringMetrics()
    {
        Meter = new Meter(MeterName);
        _runs = Meter.CreateCounter<long>("batchscoring_runs_total", description: "Runs finished, by job and final status.");
        _partitions = Meter.CreateCounter<long>("batchscoring_partitions_total", description: "Partition attempts finished, by job and status.");
        _partitionDuration = Meter.CreateHistogram("batchscoring_partition_duration_seconds", unit: "s",
            description: "Wall time of partition attempts, by job and status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBucketsSeconds });
        _rowsRead = Meter.CreateCounter<long>("batchscoring_rows_read_total", description: "Source rows read, by job.");
        _rowsScored = Meter.CreateCounter<long>("batchscoring_rows_scored_total", description: "Rows scored and written, by job.");
        _rowsFailed = Meter.CreateCounter<long>("batchscoring_rows_failed_total", description: "Rows that could not be scored (dead letters), by job.");
        _leaseReclaims = Meter.CreateCounter<long>("batchscoring_lease_reclaims_total", description: "Partitions reclaimed after their lease expired, by job.");
        _driftFlags = Meter.CreateCounter<long>("batchscoring_drift_flags_total", description: "Runs that raised a drift flag, by job.");
    }

    public Meter Meter { get; }

    public void RunFinished(string job, string status) => _runs.Add(1, Job(job), Status(status));

    public void PartitionFinished(string job, string status, TimeSpan duration)
    {
        _partitions.Add(1, Job(job), Status(status));
        _partitionDuration.Record(duration.TotalSeconds, Job(job), Status(status));
    }

    public void RowsRead(string job, long count) => AddRows(_rowsRead, job, count);

    public void RowsScored(string job, long count) => AddRows(_rowsScored, job, count);

    public void RowsFailed(string job, long count) => AddRows(_rowsFailed, job, count);

    public void LeaseReclaimed(string job) => _leaseReclaims.Add(1, Job(job));

    public void DriftFlagRaised(string job) => _driftFlags.Add(1, Job(job));

    public void Dispose() => Meter.Dispose();

    // A zero still creates the series, so dashboards see the job before its first failed row.
    private static void AddRows(Counter<long> counter, string job, long count) => counter.Add(Math.Max(0, count), Job(job));

    private static KeyValuePair<string, object?> Job(string job) => new("job", job);

    private static KeyValuePair<string, object?> Status(string status) => new("status", status);
}
