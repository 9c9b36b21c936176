-- A run sliced by time without a window gives the rows whose timestamp column is null partitions of their own
-- (timestamp_null), so that they are read and scored like every other row instead of falling between slices.
ALTER TABLE scoring.partitions
    ADD COLUMN timestamp_null boolean NOT NULL DEFAULT false;
