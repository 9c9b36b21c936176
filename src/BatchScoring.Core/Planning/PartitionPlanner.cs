using BatchScoring.Core.Jobs;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Planning;

/// <summary>Turns the statistics a source reports into the partitions of a run.</summary>
public static class PartitionPlanner
{
    public static IReadOnlyList<PlannedPartition> Plan(SourceStatistics statistics) => statistics switch
    {
        SourceStatistics.Unsliced unsliced => KeySplit.Split(new PartitionBounds(), unsliced.Buckets, unsliced.Keys).ToArray(),
        SourceStatistics.Sliced sliced => TimeSlicePlan.Plan(sliced.Window, sliced.Grain, sliced.Buckets, sliced.Slices),
        SourceStatistics.Files files => files.Each.SelectMany(f => PlanFile(f, files.RowsPerPartition)).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(statistics), statistics, "Unknown kind of source statistics."),
    };

    /// <summary>The partitions of a run of <paramref name="source"/> over <paramref name="window"/> (null: the whole source).</summary>
    public static async Task<IReadOnlyList<PlannedPartition>> PlanAsync(this IBatchSource source, TimeWindow? window, PartitioningSpec partitioning,
        CancellationToken cancellationToken)
        => Plan(await source.StatisticsAsync(window, partitioning, cancellationToken));

    private static IReadOnlyList<PlannedPartition> PlanFile(FileStatistics file, long rowsPerPartition)
    {
        var bounds = new PartitionBounds { File = file.File, WindowStart = file.Window?.StartUtc, WindowEnd = file.Window?.EndUtc };
        return file.RowGroupCount is { } count
            ? RowGroupRanges.Split(bounds, count, file.RowGroups, rowsPerPartition)
            : [new PlannedPartition(bounds, null)];
    }
}
