namespace BatchScoring.Core.Scoring;

/// <summary>A row that could not be scored: where (row of its batch, column) and why, at which stage (read, score, write).</summary>
public sealed record BadRow(int Row, string? Column, string Stage, string Reason);
