namespace BatchScoring.Postgres.Ledger;

/// <summary>
/// The partition's lease passed to another worker (this one was too slow to renew it); its work
/// must be rolled back so that only the new holder commits.
/// </summary>
public sealed class LeaseLostException(long partitionId)
    : Exception($"Partition {partitionId}: the lease passed to another worker; this attempt was rolled back.");
