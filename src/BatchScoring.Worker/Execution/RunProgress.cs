namespace BatchScoring.Worker.Execution;

/// <summary>
/// A run's progress as the ledger shows it (rows count when their partition commits). <see cref="RowsUnchanged"/> are
/// rows <c>output.skip_unchanged</c> read and did not score again: they count towards the source's estimated rows.
/// </summary>
internal sealed record RunProgress(long RunId, int Partitions, int PartitionsDone, long RowsScored, long EstimatedRows, int PartitionsRunning = 0, int PartitionsFailed = 0,
    int PartitionsCancelled = 0, long RowsUnchanged = 0)
{
    public long RowsDone => RowsScored + RowsUnchanged;
}
