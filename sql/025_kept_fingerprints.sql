-- output.skip_unchanged (issue 18): the keys and input fingerprints a partition's commit left in its output table, kept
-- as one value per partition, so that the next run reads them in one row instead of one row per key. A cache, checked
-- by generation: a statement trigger on the output table counts up the table's generation on every UPDATE, DELETE or
-- TRUNCATE that a skip_unchanged commit did not make itself, and a kept value of an older generation is not used.
CREATE TABLE scoring.kept_fingerprint_generations (
    output_table oid PRIMARY KEY,
    generation   bigint NOT NULL DEFAULT 0
);

CREATE TABLE scoring.kept_fingerprints (
    output_table oid NOT NULL,
    generation   bigint NOT NULL,
    job_name     text NOT NULL,
    window_start timestamptz,
    key_from     bigint,
    key_to       bigint,
    row_count    bigint NOT NULL,
    pairs        bytea NOT NULL,
    written_at   timestamptz NOT NULL DEFAULT now()
);
-- Fingerprints do not compress: stored out of line without trying.
ALTER TABLE scoring.kept_fingerprints ALTER COLUMN pairs SET STORAGE EXTERNAL;
CREATE INDEX kept_fingerprints_output_table_idx ON scoring.kept_fingerprints (output_table, key_from);

-- SECURITY DEFINER: whoever may change an output table (an admin's DELETE) counts up its generation, with or without
-- rights on the scoring schema.
CREATE FUNCTION scoring.forget_kept_fingerprints() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('batchscoring.keeps_fingerprints', true), '') <> 'on' THEN
        INSERT INTO scoring.kept_fingerprint_generations AS g (output_table, generation) VALUES (TG_RELID, 1)
        ON CONFLICT (output_table) DO UPDATE SET generation = g.generation + 1;
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON TABLE scoring.kept_fingerprint_generations IS
    'output.skip_unchanged: how often each output table was changed by anything but a skip_unchanged commit (a trigger counts); kept fingerprints of an older generation are not used';
COMMENT ON COLUMN scoring.kept_fingerprint_generations.output_table IS 'The output table (pg_class oid)';
COMMENT ON COLUMN scoring.kept_fingerprint_generations.generation IS 'Counted up by the trigger batchscoring_forget_kept_fingerprints on every UPDATE, DELETE or TRUNCATE statement not made by a skip_unchanged commit';
COMMENT ON TABLE scoring.kept_fingerprints IS
    'output.skip_unchanged: per partition, the keys and input fingerprints its commit left in the output table, read by the next run instead of the table''s rows (README: output.skip_unchanged)';
COMMENT ON COLUMN scoring.kept_fingerprints.output_table IS 'The output table (pg_class oid)';
COMMENT ON COLUMN scoring.kept_fingerprints.generation IS 'The output table''s generation when this was written; used only while it is still the table''s';
COMMENT ON COLUMN scoring.kept_fingerprints.job_name IS 'The job whose partition wrote it';
COMMENT ON COLUMN scoring.kept_fingerprints.window_start IS 'The partition''s time slice; null outside one';
COMMENT ON COLUMN scoring.kept_fingerprints.key_from IS 'The partition''s first key (inclusive); null from the smallest';
COMMENT ON COLUMN scoring.kept_fingerprints.key_to IS 'The partition''s key range end (exclusive); null to the largest';
COMMENT ON COLUMN scoring.kept_fingerprints.row_count IS 'Keys in pairs';
COMMENT ON COLUMN scoring.kept_fingerprints.pairs IS 'Per output row in ascending key order: the key, then input_fingerprint, each a little-endian int64';
COMMENT ON COLUMN scoring.kept_fingerprints.written_at IS 'When the partition committed it';
COMMENT ON FUNCTION scoring.forget_kept_fingerprints() IS 'Trigger of output tables of skip_unchanged jobs: counts up the table''s generation in kept_fingerprint_generations';
