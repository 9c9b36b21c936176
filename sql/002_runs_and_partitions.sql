CREATE TABLE scoring.runs (
    run_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_name        text        NOT NULL,
    trigger         text        NOT NULL CHECK (trigger IN ('schedule', 'backfill', 'manual', 'retry')),
    status          text        NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'partially_failed', 'failed', 'cancelled')),
    window_start    timestamptz,
    window_end      timestamptz,
    model_name      text,
    model_version   text,
    config_hash     text,
    rows_read       bigint      NOT NULL DEFAULT 0,
    rows_scored     bigint      NOT NULL DEFAULT 0,
    rows_failed     bigint      NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    error           text,
    parent_run_id   bigint REFERENCES scoring.runs (run_id),
    host            text
);
CREATE INDEX runs_job_created ON scoring.runs (job_name, created_at DESC);
CREATE INDEX runs_status ON scoring.runs (status) WHERE status IN ('pending', 'running');

CREATE TABLE scoring.partitions (
    partition_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id           bigint      NOT NULL REFERENCES scoring.runs (run_id) ON DELETE CASCADE,
    partition_key    text        NOT NULL,
    window_start     timestamptz,
    window_end       timestamptz,
    bucket           integer,
    bucket_count     integer,
    source_file      text,
    row_group_start  integer,
    row_group_end    integer,
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts         integer     NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_expires_at timestamptz,
    next_attempt_at  timestamptz,
    rows_read        bigint      NOT NULL DEFAULT 0,
    rows_scored      bigint      NOT NULL DEFAULT 0,
    rows_failed      bigint      NOT NULL DEFAULT 0,
    started_at       timestamptz,
    finished_at      timestamptz,
    last_error       text,
    drift_sketch     jsonb,
    UNIQUE (run_id, partition_key)
);
CREATE INDEX partitions_claimable ON scoring.partitions (run_id, status, next_attempt_at);
