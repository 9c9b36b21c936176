-- What became of a run's drift report (issue 16): the finalizer records it here, so a run whose report
-- could not be made still says why, and its own status is never touched by drift.
ALTER TABLE scoring.runs
    ADD COLUMN drift_status text CHECK (drift_status IN ('reported', 'not_configured', 'no_sketches', 'failed')),
    ADD COLUMN drift_error  text;
