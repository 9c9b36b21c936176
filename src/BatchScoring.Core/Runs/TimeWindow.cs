namespace BatchScoring.Core.Runs;

/// <summary>A half-open interval of source time, <c>[StartUtc, EndUtc)</c>, in UTC.</summary>
public sealed record TimeWindow
{
    public TimeWindow(DateTime startUtc, DateTime endUtc)
    {
        if (startUtc.Kind != DateTimeKind.Utc || endUtc.Kind != DateTimeKind.Utc)
            throw new ArgumentException("Window bounds must be UTC.");
        if (endUtc <= startUtc)
            throw new ArgumentException($"A window must end after it starts ({startUtc:O} .. {endUtc:O}).");
        StartUtc = startUtc;
        EndUtc = endUtc;
    }

    public DateTime StartUtc { get; }
    public DateTime EndUtc { get; }

    public override string ToString() => $"[{StartUtc:yyyy-MM-ddTHH:mm:ssZ}, {EndUtc:yyyy-MM-ddTHH:mm:ssZ})";
}
