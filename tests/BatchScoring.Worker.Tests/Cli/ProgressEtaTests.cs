using BatchScoring.Worker.Cli;
using BatchScoring.Worker.Execution;

namespace BatchScoring.Worker.Tests.Cli;

public class ProgressEtaTests
{
    [Fact]
    public void Rows_skip_unchanged_did_not_score_again_count_towards_the_estimate()
    {
        // Half of 1,000 estimated rows read in 10 s: 10 of them scored, 490 unchanged.
        var half = new RunProgress(RunId: 1, Partitions: 4, PartitionsDone: 2, RowsScored: 10, EstimatedRows: 1_000, RowsUnchanged: 490);

        Assert.Equal(TimeSpan.FromSeconds(10), ProgressPrinter.Eta(half, TimeSpan.FromSeconds(10)));
        Assert.Null(ProgressPrinter.Eta(half with { RowsUnchanged = 990 }, TimeSpan.FromSeconds(10)));
        // The source's estimate said 1,000, but every partition is done with 999.
        Assert.Null(ProgressPrinter.Eta(half with { PartitionsDone = 4, RowsUnchanged = 989 }, TimeSpan.FromSeconds(10)));
        // Ctrl+C: two partitions committed, the other two cancelled.
        Assert.Null(ProgressPrinter.Eta(half with { PartitionsCancelled = 2 }, TimeSpan.FromSeconds(10)));
    }
}
