using BatchScoring.Core.Scoring;

namespace BatchScoring.Core.Runs;

/// <summary>A partition this worker holds the lease of.</summary>
public sealed record ClaimedPartition(long PartitionId, long RunId, string PartitionKey, PartitionBounds Bounds, int Attempt, bool Reclaimed);
