namespace BatchScoring.Worker.Execution;

/// <summary>A run's progress as the ledger shows it (rows count when their partition commits).</summary>
internal sealed record RunProgress(long RunId, int Partitions, int PartitionsDone, long RowsScored, long EstimatedRows, int PartitionsRunning = 0, int PartitionsFailed = 0,
    int PartitionsCancelled = 0);
