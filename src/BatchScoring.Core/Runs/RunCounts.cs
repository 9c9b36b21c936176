namespace BatchScoring.Core.Runs;

/// <summary>The rows a run or partition read, scored and dead-lettered.</summary>
public sealed record RunCounts(long RowsRead, long RowsScored, long RowsFailed, long RowsUnchanged = 0);
