namespace BatchScoring.Benchmarks;

/// <summary>One line of the results table.</summary>
public sealed record Measurement(string Name, long Rows, TimeSpan Elapsed, string Note = "")
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
}
