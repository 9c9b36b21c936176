-- Sample sizes next to the row counts (issue 16): KS and Wasserstein come from the bottom-k sample only when it
-- holds every value of both sides (exact statistics), else from the quantile bins of all rows.
ALTER TABLE scoring.drift_features
    ADD COLUMN ref_sample_size bigint,
    ADD COLUMN cur_sample_size bigint;

COMMENT ON COLUMN scoring.drift_features.ref_sample_size IS
    'Reference values in the sample that the KS and Wasserstein statistics were computed from (all of them when set); NULL when computed from the quantile bins of all rows, or for categories';
COMMENT ON COLUMN scoring.drift_features.cur_sample_size IS
    'Run values in the sample that the KS and Wasserstein statistics were computed from (all of them when set); NULL when computed from the quantile bins of all rows, or for categories';
-- n_ref and n_cur count every row, missing values included (the missing rates are shares of them).
COMMENT ON COLUMN scoring.drift_features.n_ref IS 'Reference rows, missing values included';
COMMENT ON COLUMN scoring.drift_features.n_cur IS 'Run rows, missing values included';
