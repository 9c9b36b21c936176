-- A partition of a source with one integer key reads a range of that key (key_from inclusive, key_to exclusive;
-- null is open-ended) instead of a hash bucket, so its rows reach the output table's primary key in key order.
ALTER TABLE scoring.partitions
    ADD COLUMN key_from bigint,
    ADD COLUMN key_to bigint;
