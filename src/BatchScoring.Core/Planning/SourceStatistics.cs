using BatchScoring.Core.Runs;

namespace BatchScoring.Core.Planning;

/// <summary>What a source reports for planning a run, for <see cref="PartitionPlanner"/> to turn into partitions.</summary>
public abstract record SourceStatistics
{
    private SourceStatistics()
    {
    }

    /// <summary>A relation read without time slices, split into <paramref name="Buckets"/> by key.</summary>
    public sealed record Unsliced(int Buckets, KeyStatistics Keys) : SourceStatistics;

    /// <summary>A relation sliced by time (<see cref="TimeSlicePlan"/>), each slice split into <paramref name="Buckets"/> by key.</summary>
    public sealed record Sliced(TimeWindow? Window, TimeSpan? Grain, int Buckets, SliceStatistics Slices) : SourceStatistics;

    /// <summary>Files, each split into ranges of row groups of at most <paramref name="RowsPerPartition"/> rows (<see cref="RowGroupRanges"/>).</summary>
    public sealed record Files(IReadOnlyList<FileStatistics> Each, long RowsPerPartition) : SourceStatistics;
}

/// <summary>
/// One file of a run: the window its rows are filtered to (null: every row), how many row groups it has and those the
/// run reads. A file that could not be opened has no row group count: it still gets its partition, which then fails alone.
/// </summary>
public sealed record FileStatistics(string File, TimeWindow? Window, int? RowGroupCount, IReadOnlyList<RowGroupRows> RowGroups);
