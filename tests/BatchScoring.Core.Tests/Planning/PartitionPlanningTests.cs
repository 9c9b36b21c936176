using BatchScoring.Core.Planning;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Tests.Planning;

public class PartitionPlanningTests
{
    [Fact]
    public void An_integer_key_with_a_minimum_and_maximum_is_split_into_key_ranges_not_hash_buckets()
    {
        var plan = KeySplit.Split(new PartitionBounds(), 4, new KeyStatistics(1000, 1, 1000)).ToArray();

        Assert.Equal(4, plan.Length);
        Assert.All(plan, p => Assert.Equal((4, 1), (p.Bounds.KeyRanges, p.Bounds.HashBuckets)));
        Assert.Equal([0, 1, 2, 3], plan.Select(p => p.Bounds.KeyRange));
        Assert.Equal([null, 251L, 501L, 751L], plan.Select(p => p.Bounds.KeyFrom));
        Assert.Equal([251L, 501L, 751L, null], plan.Select(p => p.Bounds.KeyTo));
        Assert.Equal("keys[251,501)", plan[1].Bounds.Key);
    }

    [Fact]
    public void Without_key_statistics_the_key_is_hashed_into_buckets()
    {
        var plan = KeySplit.Split(new PartitionBounds(), 3, new KeyStatistics(300, null, null)).ToArray();

        Assert.Equal([0, 1, 2], plan.Select(p => p.Bounds.HashBucket));
        Assert.All(plan, p => Assert.Equal((3, 1, false), (p.Bounds.HashBuckets, p.Bounds.KeyRanges, p.Bounds.IsKeyRange)));
        Assert.Equal("b2of3", plan[2].Bounds.Key);
        Assert.All(plan, p => Assert.Equal(100, p.EstimatedRows));
    }

    [Fact]
    public void A_window_is_cut_into_slices_of_the_grain_and_the_whole_source_into_the_slices_it_has_rows_in()
    {
        var start = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);
        var statistics = new SliceStatistics(new Dictionary<DateTime, KeyStatistics> { [start.AddDays(1)] = new(10, null, null) }, null);

        var windowed = TimeSlicePlan.Plan(new TimeWindow(start, start.AddDays(3)), TimeSpan.FromDays(1), 1, statistics);
        var whole = TimeSlicePlan.Plan(null, TimeSpan.FromDays(1), 1, statistics with { NullTimestamps = new(5, null, null) });

        Assert.Equal([0L, 10L, 0L], windowed.Select(p => p.EstimatedRows));
        Assert.Equal(["2026-09-01T00:00Z", "2026-09-02T00:00Z", "2026-09-03T00:00Z"], windowed.Select(p => p.Bounds.Key));
        Assert.Equal(["2026-09-02T00:00Z", "timestamp-null"], whole.Select(p => p.Bounds.Key));
    }

    [Fact]
    public void Row_groups_are_joined_up_to_the_rows_of_a_partition_and_a_skipped_group_ends_a_range()
    {
        var file = new PartitionBounds { File = "a.parquet" };

        var whole = RowGroupRanges.Split(file, 2, [new(0, 10), new(1, 10)], 100);
        var ranges = RowGroupRanges.Split(file, 4, [new(0, 60), new(1, 30), new(3, 10)], 100);

        Assert.Equal(["a.parquet"], whole.Select(p => p.Bounds.Key));
        Assert.Equal([(0, 2, 90L), (3, 4, 10L)], ranges.Select(p => (p.Bounds.RowGroupStart!.Value, p.Bounds.RowGroupEnd!.Value, p.EstimatedRows!.Value)));
    }

    [Fact]
    public void A_file_that_could_not_be_opened_still_gets_its_partition()
    {
        var plan = PartitionPlanner.Plan(new SourceStatistics.Files(
            [new FileStatistics("bad.parquet", null, null, []), new FileStatistics("good.parquet", null, 1, [new(0, 7)])], 100));

        Assert.Equal([("bad.parquet", (long?)null), ("good.parquet", 7L)], plan.Select(p => (p.Bounds.Key, p.EstimatedRows)));
    }
}
