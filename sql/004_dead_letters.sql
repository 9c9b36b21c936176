CREATE TABLE scoring.dead_letters (
    dead_letter_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id         bigint      NOT NULL REFERENCES scoring.runs (run_id) ON DELETE CASCADE,
    partition_id   bigint      REFERENCES scoring.partitions (partition_id) ON DELETE CASCADE,
    job_name       text        NOT NULL,
    row_key        text,
    column_name    text,
    stage          text        NOT NULL CHECK (stage IN ('read', 'score', 'write')),
    reason         text        NOT NULL,
    row_data       jsonb,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letters_run ON scoring.dead_letters (run_id);
