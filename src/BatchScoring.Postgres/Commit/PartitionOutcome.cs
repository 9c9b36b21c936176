using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Runs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Shadow;

namespace BatchScoring.Postgres.Commit;

/// <summary>What a partition's pipeline produced besides its rows: counts, dead letters, the drift sketch and the shadow agreement.</summary>
public sealed record PartitionOutcome(RunCounts Counts, IReadOnlyCollection<DeadLetter> DeadLetters, DatasetSketch? Sketch, ShadowAgreement? Agreement);
