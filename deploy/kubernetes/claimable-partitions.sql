-- Partitions a worker could claim now (the same predicate as PartitionLeases.ClaimAsync): pending and due,
-- or running under an expired lease, in running runs not asked to cancel. KEDA's postgresql scaler reads this.
SELECT count(*)
FROM scoring.partitions p
JOIN scoring.runs r ON r.run_id = p.run_id
WHERE r.status = 'running' AND NOT r.cancel_requested
  AND ((p.status = 'pending' AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= now()))
       OR (p.status = 'running' AND p.lease_expires_at < now()))
