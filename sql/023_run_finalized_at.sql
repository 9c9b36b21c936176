-- A run can be finished by another worker than the process that started it (a `run` or `demo` next to a running
-- `worker`): that worker's finalizer then writes the drift report, the shadow agreement and Parquet's _SUCCESS
-- after the status already says succeeded. finalized_at tells the starting process when those are there.
ALTER TABLE scoring.runs ADD COLUMN finalized_at timestamptz;
UPDATE scoring.runs SET finalized_at = finished_at WHERE finished_at IS NOT NULL;

COMMENT ON COLUMN scoring.runs.finalized_at IS
    'When the finalizer (drift report, shadow agreement, Parquet _SUCCESS) was done with the finished run; NULL while it runs or is being finalized';
