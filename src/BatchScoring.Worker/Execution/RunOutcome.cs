namespace BatchScoring.Worker.Execution;

/// <summary>How a run ended, for the CLI's summary and exit code; <paramref name="Output"/> is the output table, else the Parquet folder.</summary>
internal sealed record RunOutcome(long RunId, string Status, long RowsRead, long RowsScored, TimeSpan Elapsed, string Output, string? Error)
{
    public long RowsFailed { get; init; }

    /// <summary>Rows read whose fingerprint matched their output row (<c>output.skip_unchanged</c>), so not scored again.</summary>
    public long RowsUnchanged { get; init; }

    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsScored / Elapsed.TotalSeconds : 0;
}
