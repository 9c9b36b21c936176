-- Skip unchanged rows (issue 18): rows whose input fingerprint matched the output table's row, so they were neither
-- scored nor written. A constant default: PostgreSQL adds both columns without rewriting the tables.
ALTER TABLE scoring.partitions ADD COLUMN rows_unchanged bigint NOT NULL DEFAULT 0;
ALTER TABLE scoring.runs ADD COLUMN rows_unchanged bigint NOT NULL DEFAULT 0;

COMMENT ON COLUMN scoring.partitions.rows_unchanged IS
    'Rows read whose input fingerprint matched their output row (output.skip_unchanged): not scored nor written, their row keeps its run_id and scored_at; 0 without skip_unchanged';
COMMENT ON COLUMN scoring.runs.rows_unchanged IS
    'Rows read by the run''s succeeded partitions whose input fingerprint matched their output row (output.skip_unchanged), so they were not scored again';
