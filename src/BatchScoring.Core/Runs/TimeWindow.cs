namespace BatchScoring.Core.Runs;

/// <summary>A half-open time range <c>[StartUtc, EndUtc)</c> in UTC.</summary>
public sealed record TimeWindow(DateTime StartUtc, DateTime EndUtc);
