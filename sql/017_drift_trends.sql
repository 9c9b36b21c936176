-- Drift over time (issue 16): one row per run and feature with the run's job and window, in run order,
-- so a feature's statistic, threshold and verdict read as a time series per job.
CREATE VIEW scoring.drift_trends AS
SELECT r.job_name,
       f.feature,
       f.run_id,
       r.window_start,
       r.window_end,
       r.created_at       AS run_created_at,
       d.created_at       AS analysed_at,
       f.role,
       f.kind,
       f.method,
       f.statistic,
       f.statistic_bound,
       f.p_value,
       f.threshold,
       f.severity,
       f.drifted,
       f.fdr_rejected,
       f.missing_rate_change,
       row_number() OVER (PARTITION BY r.job_name, f.feature ORDER BY r.created_at DESC, f.run_id DESC) AS runs_ago
FROM scoring.drift_features f
JOIN scoring.drift_runs d USING (run_id)
JOIN scoring.runs r USING (run_id);
