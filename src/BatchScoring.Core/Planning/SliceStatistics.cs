namespace BatchScoring.Core.Planning;

/// <summary>
/// What a keyed source sliced by time reports: the statistics of each slice by its start, and, without a window,
/// those of the rows whose timestamp is null (they belong to no slice).
/// </summary>
public sealed record SliceStatistics(IReadOnlyDictionary<DateTime, KeyStatistics> Slices, KeyStatistics? NullTimestamps);
