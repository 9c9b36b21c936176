namespace BatchScoring.Core.Batches;

/// <summary>A source batch and the model outputs for its rows, row for row.</summary>
public sealed record ScoredBatch(RowBatch Input, RowBatch Outputs)
{
    public int Count => Input.Count;
}
