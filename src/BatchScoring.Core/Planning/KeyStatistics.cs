namespace BatchScoring.Core.Planning;

/// <summary>What a source reports of one time slice: its rows and, when it is split by key range, the minimum and maximum of its integer key.</summary>
public sealed record KeyStatistics(long Rows, long? MinKey, long? MaxKey)
{
    public static readonly KeyStatistics Empty = new(0, null, null);
}
