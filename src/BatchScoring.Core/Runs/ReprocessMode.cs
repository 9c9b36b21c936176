namespace BatchScoring.Core.Runs;

/// <summary>How a backfill chooses partitions against earlier runs of the same job.</summary>
public enum ReprocessMode
{
    /// <summary>Only partitions that never succeeded.</summary>
    Missing,
    /// <summary>Only partitions whose latest attempt failed or was cancelled.</summary>
    Failed,
    /// <summary>Every partition.</summary>
    All,
}
