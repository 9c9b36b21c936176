-- output.skip_unchanged (issue 18): where the source read that a partition's kept fingerprints came from stood, so that
-- the next run reads the partition's keys and only the rows written since (README: output.skip_unchanged).
ALTER TABLE scoring.kept_fingerprints
    ADD COLUMN source_transaction bigint,
    ADD COLUMN source_identity bigint;

COMMENT ON COLUMN scoring.kept_fingerprints.source_transaction IS
    'The source read''s pg_snapshot_xmin (64-bit): rows written since have an xmin at or above it; null when the source cannot tell (a query, a view)';
COMMENT ON COLUMN scoring.kept_fingerprints.source_identity IS
    'A hash of the source table (oid and file), the columns read (numbers and types), the partition''s predicate, the model version and the feature mapping: a read of another identity reads every row';
