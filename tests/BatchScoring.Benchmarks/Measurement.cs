namespace BatchScoring.Benchmarks;

/// <summary>One line of the results table.</summary>
public sealed record Measurement(string Name, long Rows, Timed Time, string Note = "")
{
    public TimeSpan Elapsed => Time.Elapsed;

    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;

    /// <summary>Cores the whole machine kept busy on average meanwhile.</summary>
    public string CoresBusy => Time.CpuSeconds is { } cpu ? $"{cpu / Elapsed.TotalSeconds:0.0}" : "";
}
