using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Planning;

/// <summary>A row group a Parquet source reports for a run: its index in the file and its rows.</summary>
public readonly record struct RowGroupRows(int Index, long Rows);

/// <summary>Splits one Parquet file into partitions of consecutive row groups.</summary>
public static class RowGroupRanges
{
    /// <summary>
    /// The whole file as one partition when every one of its <paramref name="rowGroupCount"/> groups is read and they hold
    /// at most <paramref name="rowsPerPartition"/> rows; else consecutive groups joined until a range holds that many rows,
    /// a gap (a group the run skips) ending a range.
    /// </summary>
    public static IReadOnlyList<PlannedPartition> Split(PartitionBounds file, int rowGroupCount, IReadOnlyList<RowGroupRows> groups, long rowsPerPartition)
    {
        var total = groups.Sum(g => g.Rows);
        if (groups.Count == rowGroupCount && total <= rowsPerPartition)
            return [new PlannedPartition(file, total)];
        var result = new List<PlannedPartition>();
        var i = 0;
        while (i < groups.Count)
        {
            var start = groups[i].Index;
            var rows = 0L;
            var end = start;
            while (i < groups.Count && groups[i].Index == end && (rows == 0 || rows + groups[i].Rows <= rowsPerPartition))
            {
                rows += groups[i].Rows;
                end++;
                i++;
            }
            result.Add(new PlannedPartition(file with { RowGroupStart = start, RowGroupEnd = end }, rows));
        }
        return result;
    }
}
