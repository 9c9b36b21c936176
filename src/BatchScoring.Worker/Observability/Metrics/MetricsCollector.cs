using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace BatchScoring.Worker.Observability.Metrics;

/// <summary>
/// Listens to the instruments of one <see cref="ScoringMetrics"/> (not to every meter of the
/// process, so two hosts in one process keep separate numbers) and keeps cumulative totals per
/// label set: sums for counters, bucket counts for histograms.
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();

    public MetricsCollector(ScoringMetrics metrics)
    {
        Metrics = metrics;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, metrics.Meter))
                return;
            _instruments.TryAdd(instrument, new InstrumentSeries(instrument));
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public ScoringMetrics Metrics { get; }

    /// <summary>A consistent copy of every instrument's series, in the order instruments were created.</summary>
    public IReadOnlyList<InstrumentSnapshot> Snapshot() => _instruments.Values
        .OrderBy(s => s.Order)
        .Select(s => s.Snapshot())
        .ToArray();

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out var series))
            series.Record(value, tags);
    }

    private sealed class InstrumentSeries(Instrument instrument)
    {
        private static long _created;
        private readonly IReadOnlyList<double>? _buckets = instrument is Histogram<double> histogram
            ? histogram.Advice?.HistogramBucketBoundaries ?? ScoringMetrics.DurationBucketsSeconds
            : null;
        private readonly Dictionary<Labels, SeriesValue> _series = [];

        public long Order { get; } = Interlocked.Increment(ref _created);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels.From(tags);
            lock (_series)
            {
                if (!_series.TryGetValue(labels, out var current))
                    _series[labels] = current = new SeriesValue(_buckets is null ? null : new long[_buckets.Count]);
                current.Sum += value;
                current.Count++;
                if (_buckets is not null)
                {
                    for (var i = 0; i < _buckets.Count; i++)
                    {
                        if (value <= _buckets[i])
                            current.BucketCounts![i]++;
                    }
                }
            }
        }

        public InstrumentSnapshot Snapshot()
        {
            lock (_series)
            {
                return new InstrumentSnapshot(instrument.Name, instrument.Description ?? "", _buckets,
                    _series.OrderBy(s => s.Key.Key, StringComparer.Ordinal)
                        .Select(s => new SeriesSnapshot(s.Key.Pairs, s.Value.Sum, s.Value.Count, s.Value.BucketCounts?.ToArray()))
                        .ToArray());
            }
        }
    }

    private sealed class SeriesValue(long[]? bucketCounts)
    {
        public double Sum { get; set; }
        public long Count { get; set; }
        public long[]? BucketCounts { get; } = bucketCounts;
    }

    private sealed record Labels(string Key, IReadOnlyList<KeyValuePair<string, string>> Pairs)
    {
        public static Labels From(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var pairs = new List<KeyValuePair<string, string>>(tags.Length);
            foreach (var tag in tags)
                pairs.Add(KeyValuePair.Create(tag.Key, Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return new Labels(string.Join('\u0001', pairs.Select(p => p.Key + '\u0002' + p.Value)), pairs);
        }

        public bool Equals(Labels? other) => other is not null && other.Key == Key;

        public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
    }
}

internal sealed record InstrumentSnapshot(string Name, string Description, IReadOnlyList<double>? Buckets, IReadOnlyList<SeriesSnapshot> Series)
{
    public bool IsHistogram => Buckets is not null;
}

/// <summary>One label set's totals; <see cref="BucketCounts"/> are cumulative (value ≤ bound), as Prometheus wants them.</summary>
internal sealed record SeriesSnapshot(IReadOnlyList<KeyValuePair<string, string>> Labels, double Sum, long Count, long[]? BucketCounts);
