-- KS and Wasserstein are computed on all rows from quantile bins (issue 16): the exact value on the rows is
-- within statistic_bound of statistic. NULL where the statistic is exact by construction (counts, samples that hold every row).
ALTER TABLE scoring.drift_features
    ADD COLUMN statistic_bound double precision;
