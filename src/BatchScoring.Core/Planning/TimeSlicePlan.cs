using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Planning;

/// <summary>The partitions of a keyed source sliced by time: each slice split by key (<see cref="KeySplit"/>).</summary>
public static class TimeSlicePlan
{
    /// <summary>
    /// Slices of <paramref name="grain"/> over <paramref name="window"/> (one slice without a grain), or, without a window,
    /// the slices the source reported rows in; plus, without a window, partitions of their own for the rows whose timestamp is null.
    /// </summary>
    public static IReadOnlyList<PlannedPartition> Plan(TimeWindow? window, TimeSpan? grain, int buckets, SliceStatistics statistics)
    {
        var slices = window is null
            ? statistics.Slices.Keys.Order().Select(start => new TimeWindow(start, start + (grain ?? throw new ArgumentNullException(nameof(grain), "Slicing the whole source needs a grain."))))
            : grain is { } g ? TimeSlices.Split(window, g) : [window];
        var partitions = slices
            .SelectMany(s => KeySplit.Split(new PartitionBounds { WindowStart = s.StartUtc, WindowEnd = s.EndUtc }, buckets,
                statistics.Slices.GetValueOrDefault(s.StartUtc, KeyStatistics.Empty)));
        if (statistics.NullTimestamps is { } nulls)
            partitions = partitions.Concat(KeySplit.Split(new PartitionBounds { TimestampIsNull = true }, buckets, nulls));
        return partitions.ToArray();
    }
}
