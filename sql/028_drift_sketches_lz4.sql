-- Drift (issue 16, measured again for issue 18): every partition stores its drift sketch (~680 kB of JSON for 13
-- features) and every run the reference it is measured against. pglz took 17 ms of server time to compress each,
-- lz4 7 ms at about the same size (421 kB against 387 kB), which is 50 ms of a 1M-row run's ~2 s (docs/BENCHMARKS.md).
-- A server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE scoring.partitions ALTER COLUMN drift_sketch SET COMPRESSION lz4;
    ALTER TABLE scoring.runs ALTER COLUMN drift_reference SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'This PostgreSQL has no lz4: drift sketches stay compressed with pglz.';
END
$$;
