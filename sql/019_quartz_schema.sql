-- Quartz's tables move out of public into a schema of their own, where the job store now looks for them
-- (TablePrefix quartz.qrtz_), so that public holds only what users put there.
CREATE SCHEMA IF NOT EXISTS quartz;
COMMENT ON SCHEMA quartz IS 'Quartz.NET''s tables for the clustered scheduler (Scheduler:Clustered=true); managed by Quartz, not for analysts';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['qrtz_job_details', 'qrtz_triggers', 'qrtz_simple_triggers', 'qrtz_cron_triggers', 'qrtz_simprop_triggers',
                             'qrtz_blob_triggers', 'qrtz_calendars', 'qrtz_paused_trigger_grps', 'qrtz_paused_job_grps', 'qrtz_fired_triggers',
                             'qrtz_scheduler_state', 'qrtz_locks', 'qrtz_execution_history', 'qrtz_misfire_history', 'qrtz_job_status']
    LOOP
        IF to_regclass('public.' || t) IS NOT NULL AND to_regclass('quartz.' || t) IS NULL THEN
            EXECUTE format('ALTER TABLE public.%I SET SCHEMA quartz', t);
        END IF;
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA quartz TO batchscoring_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA quartz TO batchscoring_worker;
