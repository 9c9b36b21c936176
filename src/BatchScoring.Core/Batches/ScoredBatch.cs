namespace BatchScoring.Core.Batches;

/// <summary>A source batch and the model outputs for its rows, row for row.</summary>
public sealed record ScoredBatch(RowBatch Input, RowBatch Outputs)
{
    public int Count => Input.Count;

    /// <summary>Each row's <c>InputFingerprint</c> under the model that scored it, row for row; null where none is recorded (shadow rows).</summary>
    public long[]? Fingerprints { get; init; }
}
