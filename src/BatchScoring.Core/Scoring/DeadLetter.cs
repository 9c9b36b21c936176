namespace BatchScoring.Core.Scoring;

/// <summary>A row that could not be scored, as stored in <c>scoring.dead_letters</c>.</summary>
public sealed record DeadLetter(string RowKey, string? Column, string Stage, string Reason, string RowDataJson);
