-- The drift reference a run compares against, resolved once when the run starts, so that every
-- worker's partition sketches use the same bins and the finalizer the same reference.
ALTER TABLE scoring.runs
    ADD COLUMN drift_reference      jsonb,
    ADD COLUMN drift_reference_name text;

-- Each partition's champion/challenger agreement figures; the finalizer merges them onto the run.
ALTER TABLE scoring.partitions
    ADD COLUMN shadow_agreement jsonb;
