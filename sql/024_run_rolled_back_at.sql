-- Rollback of a run of a table partitioned by run (issue 18, output.replace: run): when `runs rollback` dropped the
-- run's partition and attached again the partitions of the runs it had replaced.
ALTER TABLE scoring.runs ADD COLUMN rolled_back_at timestamptz;

COMMENT ON COLUMN scoring.runs.rolled_back_at IS
    'When `batchscoring runs rollback` removed this run''s rows from its output table (output.replace: run) and restored the runs it had replaced; null otherwise';
