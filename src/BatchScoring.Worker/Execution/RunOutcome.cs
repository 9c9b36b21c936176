namespace BatchScoring.Worker.Execution;

/// <summary>How a run ended, for the CLI's summary and exit code; <paramref name="Output"/> is the output table, else the Parquet folder.</summary>
internal sealed record RunOutcome(long RunId, string Status, long RowsRead, long RowsScored, TimeSpan Elapsed, string Output, string? Error)
{
    public long RowsFailed { get; init; }

    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsScored / Elapsed.TotalSeconds : 0;
}
