-- Runs of one job never overlap, across every worker process: at most one pending or running run per job.
-- A stale run (its process died) must be marked failed or cancelled before the job can run again.
CREATE UNIQUE INDEX runs_one_active_per_job ON scoring.runs (job_name) WHERE status IN ('pending', 'running');
