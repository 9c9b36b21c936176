-- What a worker needs to execute any partition of a run, even one started by another (possibly dead) process.
ALTER TABLE scoring.runs
    ADD COLUMN job_yaml          text,
    ADD COLUMN job_file          text,
    ADD COLUMN model_path        text,
    ADD COLUMN max_attempts      integer NOT NULL DEFAULT 3,
    ADD COLUMN max_concurrency   integer NOT NULL DEFAULT 0,
    ADD COLUMN deadline          timestamptz,
    ADD COLUMN cancel_requested  boolean NOT NULL DEFAULT false,
    ADD COLUMN partitions_total  integer NOT NULL DEFAULT 0;

ALTER TABLE scoring.partitions
    ADD COLUMN estimated_rows bigint,
    ADD COLUMN lease_reclaims integer NOT NULL DEFAULT 0,
    ADD COLUMN completed_by   text;

-- Claims look for runnable partitions of running runs.
CREATE INDEX partitions_runnable ON scoring.partitions (run_id, partition_id) WHERE status IN ('pending', 'running');
CREATE INDEX partitions_job_key ON scoring.partitions (partition_key);
