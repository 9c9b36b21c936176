-- output.skip_unchanged (issue 18): kept fingerprints are a cache, and a cache need not be crash-safe. Unlogged, a
-- partition's 4 MB (250,000 rows) of pairs no longer go through the WAL on every commit that changes rows (34 MB of
-- the 179 MB a 1M-row re-run with 10 % changed wrote, docs/BENCHMARKS.md). After a crash PostgreSQL empties the
-- table, and the next run of each partition reads the output table's own rows, as it does when nothing was kept.
ALTER TABLE scoring.kept_fingerprints SET UNLOGGED;
